from django.urls import path

from . import views

app_name = "municipalities"

urlpatterns = [
    path("", views.home, name="home"),
    path("editions/", views.edition_list, name="edition_list"),
    path("editions/<int:number>/", views.edition_detail, name="edition_detail"),
    path("municipalities/", views.municipality_list, name="municipality_list"),
    path("municipalities/<slug:slug>/", views.municipality_detail, name="municipality_detail"),
    path("partners/", views.partner_list, name="partner_list"),
    path("legal/", views.legal, name="legal"),
    path("my-municipality/", views.my_municipality, name="my_municipality"),
]
