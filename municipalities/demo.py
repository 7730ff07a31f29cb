"""Demo data: what the public documents say (``shared/seeds``), loaded as real.

Sources: the Métropole's press releases of 8 March 2023 (edition 1, themes and
partners), 23 October 2023 (edition 2 call to municipalities, themes, first
solutions) and the 2024 announcement of the six edition-2 towns (mayor,
department, EPT, challenge, district). Mayors of edition-1 towns are public
record; district points are approximate centres of the named areas.
Fictional people only appear in ``demo_accounts`` and in contact fields,
always with ``example.org`` addresses.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.text import slugify
from faker import Faker

from .enums import Department, EditionStatus, Ept, MembershipRole, PartnerKind
from .models import (
    Edition,
    InnovationDistrict,
    Municipality,
    MunicipalityMembership,
    Partner,
    UrbanChallenge,
)
from .permissions import MUNICIPALITY_STAFF, PROGRAMME_STAFF

EDITIONS = [
    {
        "number": 1,
        "name_fr": "Édition 1",
        "name_en": "Edition 1",
        "start_year": 2022,
        "end_year": 2024,
        "status": EditionStatus.CLOSED,
        "summary_fr": (
            "Première promotion : quatre communes (Aulnay-sous-Bois, Meudon, Noisy-le-Grand, "
            "Sceaux) accueillent depuis juin 2023 une trentaine de solutions à impact."
        ),
        "summary_en": (
            "First promotion: four towns (Aulnay-sous-Bois, Meudon, Noisy-le-Grand, Sceaux) "
            "have hosted some thirty impact solutions since June 2023."
        ),
    },
    {
        "number": 2,
        "name_fr": "Édition 2",
        "name_en": "Edition 2",
        "start_year": 2023,
        "end_year": 2026,
        "status": EditionStatus.EVALUATION,
        "summary_fr": (
            "Deuxième promotion votée le 12 octobre 2023 : 22 communes ont marqué leur intérêt, "
            "8 ont candidaté et 6 ont été retenues le 6 février 2024."
        ),
        "summary_en": (
            "Second promotion voted on 12 October 2023: 22 towns expressed interest, "
            "8 applied and 6 were selected on 6 February 2024."
        ),
    },
]

# (code, name fr, name en, description fr, description en)
CHALLENGES = {
    1: [
        (
            "public-spaces",
            "Requalifier les espaces publics et améliorer leur gestion",
            "Upgrading public spaces and improving their management",
            "Création de lieux plus désirables, nouveaux services de proximité, adaptation "
            "des mobiliers urbains, simplification de la collecte des déchets…",
            "Creating more desirable places, new local services, adapting street furniture, "
            "simplifying waste collection…",
        ),
        (
            "climate-adaptation",
            "S'adapter au changement climatique et améliorer la qualité des écosystèmes urbains",
            "Adapting to climate change and improving the quality of urban ecosystems",
            "Protection du vivant, végétalisation, amélioration de la qualité de l'air, place "
            "de l'eau en ville…",
            "Protecting life, planting vegetation, improving air quality, the role of water "
            "in the city…",
        ),
        (
            "mobility",
            "Favoriser l'accessibilité, les mobilités actives et la gestion des flux",
            "Improving accessibility, active mobility and flow management",
            "Transports bas carbone, intermodalité, logistique responsable, apaisement de la "
            "circulation, liens entre quartiers, cheminements piétons et vélos…",
            "Low-carbon transport, intermodality, responsible logistics, traffic calming, "
            "links between neighbourhoods, pedestrian and cycle routes…",
        ),
        (
            "circular-economy",
            "Valoriser l'économie circulaire et la gestion durable des déchets",
            "Promoting the circular economy and sustainable waste management",
            "Réemploi, sensibilisation, développement de filières locales…",
            "Reuse, awareness-raising, development of local channels…",
        ),
        (
            "local-activity",
            "Stimuler l'attractivité commerciale et l'animation locale",
            "Boosting commercial appeal and local activity",
            "Développement du lien social et de l'inclusion…",
            "Developing social links and inclusion…",
        ),
        (
            "urban-renewal",
            "Anticiper les projets de renouvellement urbain et mieux gérer les chantiers",
            "Anticipating urban renewal projects and managing worksites better",
            "Gestion des nuisances, coordination des acteurs, réduction des effets de coupure, "
            "urbanisme transitoire…",
            "Reducing nuisances and disruptions, coordinating stakeholders, transitory and "
            "temporary planning…",
        ),
        (
            "buildings",
            "Accentuer la transition écologique et énergétique des bâtiments",
            "Accentuating the ecological and energy transition of buildings",
            "Lutte contre l'habitat dégradé, réhabilitation et transformation des usages, "
            "tiers-lieux…",
            "Combating run-down housing, refurbishment and transformation of uses, third places…",
        ),
    ],
    2: [
        (
            "public-spaces",
            "Espaces publics et services urbains",
            "Public spaces and urban services",
            "",
            "",
        ),
        (
            "climate-adaptation",
            "Adaptation au changement climatique",
            "Adapting to climate change",
            "",
            "",
        ),
        ("mobility", "Flux, mobilités et logistique", "Flows, mobility and logistics", "", ""),
        ("local-activity", "Animation locale et commerces", "Local activities and shops", "", ""),
        (
            "urban-renewal",
            "Renouvellement urbain et chantiers",
            "Urban renewal and worksites",
            "",
            "",
        ),
        ("housing", "Habitat et transformation des usages", "Housing and changing uses", "", ""),
        ("circular-economy", "Économie circulaire", "Circular economy", "", ""),
        ("sport", "Sport en ville", "Sport in the city", "", ""),
    ],
}

MUNICIPALITIES = [
    # Edition 1 (press release of 8 March 2023; mayors as in 2023).
    (
        "Aulnay-sous-Bois",
        "93005",
        Department.SEINE_SAINT_DENIS,
        Ept.PARIS_TERRES_D_ENVOL,
        "Bruno Beschizza",
    ),
    ("Meudon", "92048", Department.HAUTS_DE_SEINE, Ept.GRAND_PARIS_SEINE_OUEST, "Denis Larghero"),
    (
        "Noisy-le-Grand",
        "93051",
        Department.SEINE_SAINT_DENIS,
        Ept.GRAND_PARIS_GRAND_EST,
        "Brigitte Marsigny",
    ),
    ("Sceaux", "92071", Department.HAUTS_DE_SEINE, Ept.VALLEE_SUD_GRAND_PARIS, "Philippe Laurent"),
    # Edition 2 (announcement of the six towns, 2024).
    (
        "Athis-Mons",
        "91027",
        Department.ESSONNE,
        Ept.GRAND_ORLY_SEINE_BIEVRE,
        "Jean-Jacques Grousseau",
    ),
    ("Aubervilliers", "93001", Department.SEINE_SAINT_DENIS, Ept.PLAINE_COMMUNE, "Karine Franclet"),
    (
        "Fontenay-sous-Bois",
        "94033",
        Department.VAL_DE_MARNE,
        Ept.PARIS_EST_MARNE_ET_BOIS,
        "Jean-Philippe Gautrais",
    ),
    (
        "Sucy-en-Brie",
        "94071",
        Department.VAL_DE_MARNE,
        Ept.GRAND_PARIS_SUD_EST_AVENIR,
        "Olivier Trayaux",
    ),
    (
        "Issy-les-Moulineaux",
        "92040",
        Department.HAUTS_DE_SEINE,
        Ept.GRAND_PARIS_SEINE_OUEST,
        "André Santini",
    ),
    ("Argenteuil", "95018", Department.VAL_D_OISE, Ept.BOUCLE_NORD_DE_SEINE, "Georges Mothron"),
]

_EDITION_1_CHALLENGE_FR = (
    "Accueillir pendant 18 mois des solutions innovantes qui accélèrent la transition "
    "écologique et sociale de la commune."
)
_EDITION_1_CHALLENGE_EN = (
    "Host innovative solutions for 18 months to speed up the town's ecological and social "
    "transition."
)

DISTRICTS = [
    {
        "municipality": "Aulnay-sous-Bois",
        "edition": 1,
        "name_fr": "Quartier d'innovation d'Aulnay-sous-Bois",
        "name_en": "Aulnay-sous-Bois innovation district",
        "priority_challenge_fr": _EDITION_1_CHALLENGE_FR,
        "priority_challenge_en": _EDITION_1_CHALLENGE_EN,
        "description_fr": (
            "Thématique « Espace public ». Parmi les solutions expérimentées : Purple Alternative "
            "Surface, un revêtement de sol perméable (dalle) adapté aux usages urbains, qui "
            "utilise des déchets plastiques comme matière première."
        ),
        "description_en": (
            "Theme “public space”. Among the solutions tested: Purple Alternative Surface, a "
            "permeable paving slab for urban uses made from plastic waste."
        ),
        "themes": ["public-spaces"],
        "point": ("48.938600", "2.497500"),
        "surface": None,
    },
    {
        "municipality": "Meudon",
        "edition": 1,
        "name_fr": "Quartier d'innovation de Meudon",
        "name_en": "Meudon innovation district",
        "priority_challenge_fr": _EDITION_1_CHALLENGE_FR,
        "priority_challenge_en": _EDITION_1_CHALLENGE_EN,
        "description_fr": (
            "Thématique « Flux, mobilités et logistique ». Parmi les solutions expérimentées : "
            "Pélican Cycles, un service de vélos cargos pour les professionnels, qui transporte "
            "des marchandises lourdes et volumineuses (jusqu'à 500 kg et 3 m³)."
        ),
        "description_en": (
            "Theme “flows, mobility and logistics”. Among the solutions tested: Pélican Cycles, "
            "a cargo-bike service for professionals carrying heavy, bulky goods (up to 500 kg "
            "and 3 m³)."
        ),
        "themes": ["mobility"],
        "point": ("48.813100", "2.238100"),
        "surface": None,
    },
    {
        "municipality": "Noisy-le-Grand",
        "edition": 1,
        "name_fr": "Quartier d'innovation de Noisy-le-Grand",
        "name_en": "Noisy-le-Grand innovation district",
        "priority_challenge_fr": _EDITION_1_CHALLENGE_FR,
        "priority_challenge_en": _EDITION_1_CHALLENGE_EN,
        "description_fr": (
            "Thématique « Économie circulaire ». Parmi les solutions expérimentées : Vytal, qui "
            "réduit les déchets d'emballages des plats et boissons à emporter et en livraison "
            "dans la restauration."
        ),
        "description_en": (
            "Theme “circular economy”. Among the solutions tested: Vytal, which cuts packaging "
            "waste from take-away and delivered food and drinks."
        ),
        "themes": ["circular-economy"],
        "point": ("48.848600", "2.552800"),
        "surface": None,
    },
    {
        "municipality": "Sceaux",
        "edition": 1,
        "name_fr": "Quartier d'innovation de Sceaux",
        "name_en": "Sceaux innovation district",
        "priority_challenge_fr": _EDITION_1_CHALLENGE_FR,
        "priority_challenge_en": _EDITION_1_CHALLENGE_EN,
        "description_fr": (
            "Thématique « Adaptation au changement climatique ». Parmi les solutions "
            "expérimentées : Végétalisation 2e vie, une végétalisation urbaine contre les îlots "
            "de chaleur, avec un mobilier 100 % issu de l'économie circulaire et une production "
            "solidaire 100 % Grand Paris."
        ),
        "description_en": (
            "Theme “adapting to climate change”. Among the solutions tested: Végétalisation 2e "
            "vie, urban greening against heat islands with furniture made entirely from the "
            "circular economy, produced inclusively in Greater Paris."
        ),
        "themes": ["climate-adaptation"],
        "point": ("48.778400", "2.289300"),
        "surface": None,
    },
    {
        "municipality": "Athis-Mons",
        "edition": 2,
        "name_fr": "Entrée de ville d'Athis-Mons",
        "name_en": "Athis-Mons town entrance",
        "priority_challenge_fr": "Développer un pôle sport et santé à Athis-Mons.",
        "priority_challenge_en": "Develop a sports and health hub in the town of Athis-Mons.",
        "description_fr": (
            "La ville veut redynamiser et reprogrammer le secteur de l'entrée de ville, pour faire "
            "du sport et de la santé des marqueurs forts de son identité. « Porte de la ville » "
            "pour Athis-Mons et « porte de l'Essonne » pour le Département, le site occupe une "
            "position stratégique."
        ),
        "description_en": (
            "The town wants to revitalise and reprogramme the area around the entrance to the "
            "town, with the aim of making sport and health in the town strong identity markers. "
            "Both a “gateway to the town” for Athis-Mons and a “gateway to Essonne” for the "
            "Department, the site is strategically located."
        ),
        "themes": ["sport", "public-spaces"],
        "point": ("48.709200", "2.388300"),
        "surface": None,
    },
    {
        "municipality": "Fontenay-sous-Bois",
        "edition": 2,
        "name_fr": "Val-de-Fontenay – Alouettes",
        "name_en": "Val-de-Fontenay – Alouettes",
        "priority_challenge_fr": (
            "Renforcer la mixité programmatique du quartier, améliorer la qualité des espaces "
            "publics, des logements et des lieux de travail, et son exemplarité environnementale."
        ),
        "priority_challenge_en": (
            "Strengthen the district's programmatic mix, improve the quality of public spaces, "
            "housing and workplaces, and improve environmental exemplarity."
        ),
        "description_fr": (
            "À l'est de Fontenay-sous-Bois. Lauréat du programme Démonstrateurs de la ville "
            "durable, le site est un pôle tertiaire traversé par les RER A et E et l'A86, entouré "
            "de formes verticales de logement social. La ville et la SPL veulent restructurer ce "
            "grand pôle tertiaire par une intervention réfléchie sur le plan urbain."
        ),
        "description_en": (
            "To the east of Fontenay-sous-Bois. A winner of the Démonstrateurs de la Ville "
            "Durable programme, the site is a central business district crossed by the RER A and "
            "E lines and the A86, surrounded by vertical forms of social housing. The town and "
            "the SPL want to restructure a major tertiary centre through a well-thought-out "
            "intervention on the urban plan."
        ),
        "themes": ["public-spaces", "housing", "urban-renewal"],
        "point": ("48.854500", "2.487000"),
        "surface": None,
    },
    {
        "municipality": "Argenteuil",
        "edition": 2,
        "name_fr": "Porte Saint-Germain – Berges de Seine",
        "name_en": "Porte Saint-Germain – Berges de Seine",
        "priority_challenge_fr": (
            "Accélérer la redynamisation des projets de développement économique, urbain et "
            "résidentiel."
        ),
        "priority_challenge_en": (
            "Accelerate the revitalisation of economic, urban and residential development projects."
        ),
        "description_fr": (
            "L'une des trois zones d'activités d'Argenteuil. Territoire d'industrie (2018) et "
            "quartier sous contrat d'intérêt national, il couvre 75 hectares d'habitat privé "
            "dégradé et peu dense et une zone d'activités vieillissante."
        ),
        "description_en": (
            "One of Argenteuil's three business parks. An industrial area (2018) and a district "
            "under national interest contract, it covers 75 hectares of run-down, under-dense "
            "private housing and an ageing business park."
        ),
        "themes": ["urban-renewal", "housing"],
        "point": ("48.942000", "2.255000"),
        "surface": "75",
    },
    {
        "municipality": "Aubervilliers",
        "edition": 2,
        "name_fr": "Centre-ville d'Aubervilliers",
        "name_en": "Aubervilliers town centre",
        "priority_challenge_fr": "Réaménager et redynamiser le centre-ville.",
        "priority_challenge_en": "Redevelopment and revitalisation of the town centre.",
        "description_fr": (
            "Le centre-ville, un site de 44 000 m² près de la station de métro Mairie "
            "d'Aubervilliers. Dense, jeune, d'une forte mixité sociale, mais avec un chômage "
            "élevé (20 %) et un niveau de vie bas."
        ),
        "description_en": (
            "The city centre, a 44,000 m² site close to the Mairie d'Aubervilliers metro "
            "station. Dense, young, with a strong social mix, but high unemployment (20%) and a "
            "low standard of living."
        ),
        "themes": ["local-activity", "public-spaces"],
        "point": ("48.914300", "2.382200"),
        "surface": "4.4",
    },
    {
        "municipality": "Issy-les-Moulineaux",
        "edition": 2,
        "name_fr": "Issy Val de Seine – quartier HydroSeine",
        "name_en": "Issy Val de Seine – HydroSeine district",
        "priority_challenge_fr": (
            "Créer le premier écoquartier hydrogène, le quartier « HydroSeine »."
        ),
        "priority_challenge_en": (
            "Implementation of the first hydrogen eco-district, the “HydroSeine” district."
        ),
        "description_fr": (
            "Issy Val de Seine, un site urbanisé de 6 hectares au nord d'Issy-les-Moulineaux, "
            "près de la Seine. L'objectif : un quartier démonstrateur intégrant les standards "
            "d'une ville intelligente à l'hydrogène, sobre, voire à énergie positive."
        ),
        "description_en": (
            "Issy Val de Seine, a 6-hectare urbanised site to the north of Issy-les-Moulineaux "
            "near the Seine. The aim is a demonstration district incorporating the standards of "
            "a hydrogen-powered, low-consumption or even positive-energy smart city."
        ),
        "themes": ["climate-adaptation", "housing"],
        "point": ("48.831000", "2.264000"),
        "surface": "6",
    },
    {
        "municipality": "Sucy-en-Brie",
        "edition": 2,
        "name_fr": "Cité Verte, Fosse Rouge et Moulin Touillon",
        "name_en": "Cité Verte, Fosse Rouge and Moulin Touillon",
        "priority_challenge_fr": (
            "Renforcer la cohésion urbaine, sociale et économique des quartiers de la Cité Verte "
            "et de la Fosse Rouge."
        ),
        "priority_challenge_en": (
            "Strengthen urban, social and economic cohesion in the Cité Verte and Fosse Rouge "
            "neighbourhoods."
        ),
        "description_fr": (
            "Un périmètre autour de trois quartiers prioritaires : Cité Verte, Fosse Rouge et "
            "Moulin Touillon. Population vieillissante, besoins réels d'inclusion, "
            "d'accessibilité et d'activités de proximité : la ville y mène une politique "
            "volontariste et veut des solutions de végétalisation et de préservation des espaces "
            "naturels, comme sur les enjeux économiques, sociaux et environnementaux."
        ),
        "description_en": (
            "A target area around three priority neighbourhoods: Cité Verte, Fosse Rouge and "
            "Moulin Touillon. With an ageing population and real needs for inclusion, "
            "accessibility and local activities, the town runs a proactive policy there and "
            "wants solutions for greening and preserving natural spaces, as well as for the "
            "economic, social and environmental issues."
        ),
        "themes": ["local-activity", "climate-adaptation", "public-spaces"],
        "point": ("48.770000", "2.523000"),
        "surface": None,
    },
]

# (name, kind, description fr, description en, website)
PARTNERS = [
    (
        "Métropole du Grand Paris",
        PartnerKind.INITIATOR,
        "Initie et finance le programme, vote ses éditions en Conseil métropolitain.",
        "Initiates and funds the programme; its Council votes each edition.",
        "https://www.metropolegrandparis.fr/",
    ),
    (
        "Paris&Co",
        PartnerKind.OPERATOR,
        "Agence d'innovation de Paris et de la Métropole : opère le programme et accompagne "
        "les communes et les expérimentateurs.",
        "The innovation agency of Paris and the metropolitan area: runs the programme and "
        "supports the municipalities and experimenters.",
        "https://www.parisandco.paris/",
    ),
    (
        "Choose Paris Region",
        PartnerKind.HISTORIC,
        "Agence d'attractivité de l'Île-de-France : accompagne les projets à dimension "
        "internationale.",
        "The attractiveness agency of the Île-de-France region: supports every project with an "
        "international dimension.",
        "https://www.chooseparisregion.org/",
    ),
    (
        "Banque des Territoires",
        PartnerKind.HISTORIC,
        "Conseil et expertise sur le financement des projets.",
        "Advice and expertise on project financing.",
        "https://www.banquedesterritoires.fr/",
    ),
    (
        "Institut Paris Région",
        PartnerKind.HISTORIC,
        "Réalise les diagnostics sensibles des quartiers d'innovation.",
        "Carries out the sensitive assessments of the innovation districts.",
        "https://www.institutparisregion.fr/",
    ),
]
URBAN_PLAYERS = [
    "ADEME",
    "Altarea",
    "Citeo",
    "Enedis",
    "Groupe RATP",
    "Paris Habitat",
    "Paris & Métropole Aménagement",
    "SEGRO",
    "SEMAPA",
    "Ville de Paris",
]
URBAN_PLAYER_FR = (
    "Grand acteur urbain partenaire : apporte son expertise aux innovateurs et accélère le "
    "changement d'échelle des projets."
)
URBAN_PLAYER_EN = (
    "Major urban player: lends its expertise to innovators and speeds up the scaling-up of "
    "projects."
)

DEMO_STAFF = {"username": "demo-staff", "password": "qmi-demo-staff"}
DEMO_MUNICIPALITY = {
    "username": "demo-aubervilliers",
    "password": "qmi-demo-town",
    "municipality": "Aubervilliers",
}


def seed_programme() -> dict:
    """Editions, themes, municipalities, districts and partners; idempotent."""
    fake = Faker("fr_FR")
    fake.seed_instance(2024)
    editions = {}
    for data in EDITIONS:
        edition, _ = Edition.objects.update_or_create(
            number=data["number"], defaults={k: v for k, v in data.items() if k != "number"}
        )
        editions[edition.number] = edition

    challenges = {}
    for number, rows in CHALLENGES.items():
        for order, (code, name_fr, name_en, description_fr, description_en) in enumerate(rows):
            challenge, _ = UrbanChallenge.objects.update_or_create(
                edition=editions[number],
                code=code,
                defaults={
                    "name_fr": name_fr,
                    "name_en": name_en,
                    "description_fr": description_fr,
                    "description_en": description_en,
                    "order": order,
                },
            )
            challenges[number, code] = challenge

    municipalities = {}
    for name, insee_code, department, ept, mayor in MUNICIPALITIES:
        slug = slugify(name)
        municipality, _ = Municipality.objects.update_or_create(
            insee_code=insee_code,
            defaults={
                "name": name,
                "slug": slug,
                "department": department,
                "ept": ept,
                "mayor": mayor,
                "contact_name": fake.name(),
                "contact_email": f"qmi.{slug}@example.org",
            },
        )
        municipalities[name] = municipality

    for data in DISTRICTS:
        latitude, longitude = data["point"]
        district, _ = InnovationDistrict.objects.update_or_create(
            municipality=municipalities[data["municipality"]],
            edition=editions[data["edition"]],
            defaults={
                **{
                    key: data[key]
                    for key in (
                        "name_fr",
                        "name_en",
                        "description_fr",
                        "description_en",
                        "priority_challenge_fr",
                        "priority_challenge_en",
                    )
                },
                "latitude": Decimal(latitude),
                "longitude": Decimal(longitude),
                "surface_hectares": Decimal(data["surface"]) if data["surface"] else None,
            },
        )
        district.themes.set([challenges[data["edition"], code] for code in data["themes"]])

    order = 0
    for name, kind, description_fr, description_en, website in PARTNERS:
        Partner.objects.update_or_create(
            slug=slugify(name),
            defaults={
                "name": name,
                "kind": kind,
                "description_fr": description_fr,
                "description_en": description_en,
                "website": website,
                "order": order,
            },
        )
        order += 1
    for name in URBAN_PLAYERS:
        Partner.objects.update_or_create(
            slug=slugify(name),
            defaults={
                "name": name,
                "kind": PartnerKind.URBAN_PLAYER,
                "description_fr": URBAN_PLAYER_FR,
                "description_en": URBAN_PLAYER_EN,
                "order": order,
            },
        )
        order += 1
    return {"editions": editions, "municipalities": municipalities}


def seed_demo_accounts(municipalities) -> list[tuple[str, str, str]]:
    """One Paris&Co staff account and one municipality account, fictional people."""
    fake = Faker("fr_FR")
    fake.seed_instance(1789)
    User = get_user_model()

    staff, _ = User.objects.update_or_create(
        username=DEMO_STAFF["username"],
        defaults={
            "first_name": fake.first_name(),
            "last_name": fake.last_name(),
            "email": "demo-staff@example.org",
            "is_staff": True,
            "is_superuser": False,
            "is_active": True,
        },
    )
    _set_demo_password(staff, DEMO_STAFF["password"])
    staff.groups.add(Group.objects.get(name=PROGRAMME_STAFF))

    town_user, _ = User.objects.update_or_create(
        username=DEMO_MUNICIPALITY["username"],
        defaults={
            "first_name": fake.first_name(),
            "last_name": fake.last_name(),
            "email": "demo-aubervilliers@example.org",
            "is_staff": False,
            "is_superuser": False,
            "is_active": True,
        },
    )
    _set_demo_password(town_user, DEMO_MUNICIPALITY["password"])
    town_user.groups.add(Group.objects.get(name=MUNICIPALITY_STAFF))
    MunicipalityMembership.objects.update_or_create(
        user=town_user,
        municipality=municipalities[DEMO_MUNICIPALITY["municipality"]],
        defaults={"role": MembershipRole.REFERENT},
    )
    return [
        ("Paris&Co staff", DEMO_STAFF["username"], DEMO_STAFF["password"]),
        (
            f"Municipality staff ({DEMO_MUNICIPALITY['municipality']})",
            DEMO_MUNICIPALITY["username"],
            DEMO_MUNICIPALITY["password"],
        ),
    ]


def _set_demo_password(user, password):
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
