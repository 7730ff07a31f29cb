def test_home_page_answers_in_french(client, db):
    response = client.get("/fr/")
    assert response.status_code == 200
