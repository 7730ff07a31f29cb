import re

def test_scratch(staff_client):
    for url in ["/fr/admin/municipalities/municipality/add/", "/fr/admin/municipalities/innovationdistrict/add/", "/fr/admin/calls/call/add/"]:
        r = staff_client.get(url)
        print(url, r.status_code)
        html = r.content.decode()
        print(sorted(set(re.findall(r'name="([^"]+)"', html))))
