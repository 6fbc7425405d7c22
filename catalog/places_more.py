"""More of the gazetteer (catalog/places.py): smaller towns users write from, and districts.

Towns: provincial capitals and market towns of the countries served, and the Brazilian and
Lusophone cities the network's Portuguese-speaking members write from ("Recife"), each line
a town's spellings separated by "|" (the first in each script is the proper one, stored when
a user types it without its accents: "Καρδιτσα" is kept as "Καρδίτσα").

Districts: neighbourhoods and districts of large cities, which users give instead of the
city ("de Nou Barris", "Kadıköy'de"). The case keeps the city; the district is no town.
Pure data: no database, no Rasa.
"""

from __future__ import annotations

MORE_TOWNS: dict[str, tuple[str, ...]] = {
    "ES": ("Huesca|Osca", "Teruel", "Logroño|Logrono", "Santander", "Burgos", "León|Leon",
           "Cáceres|Caceres", "Badajoz", "Huelva", "Jaén|Jaen", "Toledo", "Albacete",
           "Ciudad Real", "Cuenca", "Segovia", "Ávila|Avila", "Soria", "Zamora", "Palencia",
           "Lugo", "Ourense|Orense", "A Coruña|La Coruña|Coruña|A Coruna", "Pontevedra",
           "Gijón|Gijon|Xixón", "Vitoria-Gasteiz|Vitoria|Gasteiz", "Sabadell", "Terrassa",
           "Badalona", "L'Hospitalet de Llobregat|L'Hospitalet|Hospitalet de Llobregat",
           "Manresa", "Reus", "Mataró|Mataro", "Granollers", "Figueres", "Olot", "Vic",
           "Cartagena", "Elche|Elx", "Jerez de la Frontera", "Marbella", "Algeciras", "Ceuta|سبتة",
           "Melilla|مليلية", "Las Palmas de Gran Canaria|Las Palmas", "Santa Cruz de Tenerife",
           "Eivissa|Ibiza", "Maó|Mahón|Mahon", "Benidorm", "Gandia|Gandía", "Xàtiva|Játiva",
           "Alcoi|Alcoy", "Sagunt|Sagunto", "Manacor", "Sant Cugat del Vallès|Sant Cugat",
           "Igualada", "Tortosa", "La Seu d'Urgell|Seu d'Urgell"),
    "FR": ("Aix-en-Provence|Aix", "Arles", "Béziers|Beziers", "Narbonne", "Sète|Sete",
           "Rennes", "Brest", "Lorient", "Limoges", "Poitiers", "Dijon", "Besançon|Besancon",
           "Clermont-Ferrand", "Saint-Étienne|Saint-Etienne", "Rouen", "Le Havre", "Amiens",
           "Metz", "Mulhouse", "Tours", "Orléans|Orleans", "Angers",
           "Bayonne", "Saint-Denis", "Montreuil", "Villeurbanne", "Roubaix", "Tourcoing"),
    "IT": ("Reggio Emilia|Reggio nell'Emilia", "Modena", "Parma", "Piacenza", "Ragusa",
           "Vittoria", "Siracusa|Syracuse", "Trapani", "Agrigento", "Caltanissetta",
           "Enna", "Perugia|Pérouse", "Ancona", "Verona|Vérone", "Padova|Padua|Padoue",
           "Vicenza", "Treviso", "Brescia", "Bergamo|Bergame", "Varese", "Trento|Trente",
           "Bolzano|Bozen", "Udine", "Pisa|Pise", "Livorno|Livourne", "Siena|Sienne", "Lucca",
           "Prato", "Arezzo", "Ferrara", "Ravenna", "Rimini", "Forlì|Forli", "Foggia",
           "Brindisi", "Cosenza", "Catanzaro", "Crotone", "Potenza", "Matera", "Campobasso",
           "L'Aquila", "Caserta", "Avellino", "Benevento", "Nuoro", "Oristano",
           "Alghero|l'Alguer|Alguer", "Olbia", "Latina", "Frosinone", "Viterbo", "Rieti",
           "Terni", "La Spezia", "Savona", "Imperia", "Sanremo", "Novara", "Alessandria",
           "Asti", "Cuneo", "Aosta", "Monza"),
    "PT": ("Ponte da Barca", "Ponte de Lima", "Arcos de Valdevez", "Viana do Castelo",
           "Vila Nova de Gaia|Gaia", "Guimarães|Guimaraes", "Barcelos",
           "Vila Nova de Famalicão|Famalicão|Famalicao", "Viseu", "Leiria",
           "Santarém|Santarem", "Castelo Branco", "Guarda", "Bragança|Braganca", "Vila Real",
           "Portalegre", "Amadora", "Sintra", "Cascais", "Almada", "Seixal", "Odivelas",
           "Loures", "Matosinhos", "Gondomar", "Seia", "Covilhã|Covilha", "Tomar",
           "Portimão|Portimao", "Tavira", "Olhão|Olhao", "Lagos", "Mértola|Mertola",
           "Angra do Heroísmo|Angra do Heroismo", "Caldas da Rainha", "Torres Vedras"),
    "BR": ("Recife", "São Paulo|Sao Paulo|San Paolo", "Rio de Janeiro", "Salvador",
           "Fortaleza", "Belo Horizonte", "Porto Alegre", "Curitiba", "Manaus",
           "Brasília|Brasilia", "Goiânia|Goiania", "Florianópolis|Florianopolis",
           "João Pessoa|Joao Pessoa", "Maceió|Maceio", "Olinda", "Campinas", "Niterói|Niteroi",
           "São Luís|Sao Luis", "Teresina"),
    "AO": ("Luanda", "Benguela", "Huambo", "Lubango"),
    "MZ": ("Maputo", "Beira", "Nampula"),
    "CV": ("Mindelo", "Assomada"),
    "GR": ("Καρδίτσα|Karditsa", "Τρίκαλα|Trikala", "Σέρρες|Serres", "Ξάνθη|Xanthi",
           "Δράμα|Drama", "Κοζάνη|Kozani", "Κατερίνη|Katerini", "Χαλκίδα|Chalkida|Halkida",
           "Λαμία|Lamia", "Άρτα|Arta", "Πρέβεζα|Preveza", "Αγρίνιο|Agrinio",
           "Ζάκυνθος|Zakynthos|Zante", "Καστοριά|Kastoria", "Φλώρινα|Florina",
           "Έδεσσα|Edessa", "Βέροια|Veria|Veroia", "Ρέθυμνο|Rethymno|Rethymnon",
           "Άγιος Νικόλαος|Agios Nikolaos", "Σπάρτη|Sparti|Sparta", "Ναύπλιο|Nafplio",
           "Κόρινθος|Korinthos|Corinth", "Πύργος|Pyrgos", "Μεσολόγγι|Mesologgi", "Χίος|Chios",
           "Σάμος|Samos", "Ερμούπολη|Ermoupoli", "Νάξος|Naxos", "Πειραιάς|Piraeus|Pireas",
           "Περιστέρι|Peristeri", "Ηγουμενίτσα|Igoumenitsa", "Κιλκίς|Kilkis",
           "Γιαννιτσά|Giannitsa", "Ορεστιάδα|Orestiada", "Λιβαδειά|Livadeia", "Θήβα|Thiva",
           "Σητεία|Sitia", "Ιεράπετρα|Ierapetra", "Αίγιο|Aigio"),
    "TR": ("Manisa", "Aydın|Aydin", "Muğla|Mugla", "Bodrum", "Fethiye", "Marmaris", "Alanya",
           "Balıkesir|Balikesir", "Çanakkale|Canakkale", "Edirne", "Tekirdağ|Tekirdag",
           "İzmit|Izmit|Kocaeli", "Sakarya|Adapazarı", "Zonguldak", "Sinop", "Ordu", "Rize",
           "Erzurum", "Kars", "Batman", "Elazığ|Elazig", "Sivas", "Tokat", "Çorum|Corum",
           "Nevşehir|Nevsehir", "Isparta", "Kütahya|Kutahya", "Uşak|Usak", "Düzce|Duzce",
           "Bolu", "Kastamonu", "Giresun", "Adıyaman|Adiyaman", "Kahramanmaraş|Kahramanmaras|"
           "Maraş", "Osmaniye", "Kilis"),
    "MA": ("Taroudant|Taroudannt|تارودانت", "Tiznit|تيزنيت", "Khouribga|خريبكة",
           "Errachidia|الرشيدية", "Chefchaouen|Chaouen|شفشاون", "Larache|العرائش",
           "Al Hoceima|Al Hoceïma|الحسيمة", "Taza|تازة", "Settat|سطات", "Berkane|بركان",
           "Guelmim|كلميم", "Dakhla|الداخلة", "Mohammedia|المحمدية", "Salé|Sale|سلا",
           "Témara|Temara|تمارة", "Ifrane|إفران", "Midelt|ميدلت", "Zagora|زاكورة",
           "Azrou|أزرو", "Khénifra|Khenifra|خنيفرة"),
    "TN": ("Hammamet|الحمامات", "Kélibia|Kelibia|قليبية", "Menzel Bourguiba|منزل بورقيبة",
           "Tataouine|تطاوين", "Siliana|سليانة", "Le Kef|El Kef|الكاف", "Zaghouan|زغوان",
           "Ben Arous|بن عروس", "La Marsa|المرسى"),
}

# city (one of the gazetteer's spellings): its districts and neighbourhoods, "|" between them.
DISTRICTS: dict[str, str] = {
    "Barcelona": "Nou Barris|Gràcia|Sants|Sants-Montjuïc|Sant Martí|Sant Marti|Poblenou|"
                 "el Poblenou|Eixample|l'Eixample|Sant Andreu|Horta-Guinardó|Guinardó|"
                 "Ciutat Vella|el Raval|Raval|Poble-sec|Poble Sec|Sarrià|Sarrià-Sant Gervasi|"
                 "Sant Gervasi|la Barceloneta|Barceloneta|el Born|Trinitat Nova|"
                 "Trinitat Vella|la Verneda|Roquetes|Vallcarca",
    "Madrid": "Vallecas|Puente de Vallecas|Villa de Vallecas|Carabanchel|Usera|Lavapiés|"
              "Lavapies|Chamberí|Chamberi|Malasaña|Malasana|Moratalaz|Hortaleza|Villaverde|"
              "San Blas|Arganzuela|Chamartín|Chamartin|Ciudad Lineal|Fuencarral",
    "València": "Benimaclet|Russafa|Ruzafa|el Cabanyal|Cabanyal|Orriols|Campanar|Patraix|"
                "Benicalap|Natzaret|Nazaret",
    "Sevilla": "Triana|la Macarena|Macarena|Polígono Sur|Tres Barrios",
    "Lisboa": "Alfama|Mouraria|Marvila|Chelas|Alcântara|Alcantara|Arroios|Benfica|Olivais|"
              "Graça|Bairro Alto|Penha de França",
    "Porto": "Campanhã|Campanha|Bonfim|Paranhos|Ramalde|Aldoar|Cedofeita",
    "Marseille": "Belsunce|Noailles|la Belle de Mai|Belle de Mai|Félix-Pyat|la Castellane",
    "Paris": "Belleville|Ménilmontant|Menilmontant|Barbès|Barbes|la Goutte d'Or|"
             "Goutte d'Or|Montmartre",
    "Milano": "Lambrate|Giambellino|Quarto Oggiaro|Niguarda|Corvetto|Barona|San Siro",
    "Roma": "Trastevere|Testaccio|Pigneto|Tor Pignattara|Torpignattara|Centocelle|"
            "Quarticciolo|Garbatella|Tor Bella Monaca",
    "Napoli": "Scampia|Scampìa|Secondigliano|Quartieri Spagnoli|Rione Sanità|Ponticelli|"
              "Forcella",
    "Torino": "San Salvario|Barriera di Milano|Porta Palazzo|Mirafiori|Vanchiglia",
    "Palermo": "Ballarò|Ballaro|Brancaccio|la Kalsa|Kalsa",
    "Αθήνα": "Εξάρχεια|Exarchia|Κυψέλη|Kypseli|Πατήσια|Patisia|Κολωνός|Kolonos|Μεταξουργείο|"
             "Metaxourgeio|Γκάζι|Κουκάκι|Koukaki|Παγκράτι|Pagrati",
    "Θεσσαλονίκη": "Άνω Πόλη|Ano Poli|Λαδάδικα|Ladadika",
    "İstanbul": "Kadıköy|Kadikoy|Beyoğlu|Beyoglu|Üsküdar|Uskudar|Beşiktaş|Besiktas|"
                "Şişli|Sisli|Bağcılar|Bagcilar|Esenyurt|Sultanbeyli|Tarlabaşı|Tarlabasi|"
                "Balat|Zeytinburnu|Bakırköy|Bakirkoy|Kartal|Pendik|Ümraniye|Umraniye",
    "İzmir": "Karşıyaka|Karsiyaka|Bornova|Konak|Buca|Bayraklı|Bayrakli|Çiğli|Cigli|"
             "Gaziemir|Alsancak",
    "Ankara": "Çankaya|Cankaya|Keçiören|Kecioren|Mamak|Yenimahalle|Altındağ|Altindag|"
              "Sincan|Etimesgut",
    "Casablanca": "Hay Mohammadi|الحي المحمدي|Sidi Moumen|سيدي مومن|Aïn Sebaâ|Ain Sebaa|"
                  "عين السبع|Sidi Bernoussi|سيدي البرنوصي|Derb Sultan|درب السلطان",
    "Tunis": "Ettadhamen|Hay Ettadhamen|حي التضامن|Bab Souika|باب سويقة|El Menzah|المنزه",
    "القاهرة": "شبرا|Shubra|Shoubra|الزمالك|Zamalek|المعادي|Maadi|مصر الجديدة|Heliopolis|"
               "حلوان|Helwan|مدينة نصر|Nasr City|السيدة زينب",
    "بيروت": "الحمرا|Hamra|الأشرفية|الاشرفية|Achrafieh|Ashrafieh|برج حمود|Bourj Hammoud|"
             "مار مخايل|Mar Mikhael",
}

# Names of the lists above that are also everyday words: a town only when capitalised.
MORE_ALSO_WORDS = frozenset({
    "leon", "vic", "cuenca", "toledo", "vitoria", "vittoria", "potenza", "prato", "como",
    "latina", "guarda", "lagos", "salvador", "fortaleza", "beira", "drama", "δραμα",
    "λαμια", "πυργος", "περιστερι", "ordu", "batman", "kars", "sale", "sinop", "tours",
    "aix", "gracia", "sants", "raval", "graca", "konak", "buca", "kartal",
    "hamra", "balat", "olivais", "campanha", "bonfim", "taza", "enna", "asti",
})
