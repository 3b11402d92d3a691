"""Constructed wikitext content for the Safeguard.Stream demo dataset.

Everything in this module is INVENTED for the demo: article stubs are short, plausible
wikitext written for this file (not copied from Wikipedia); persons in PERSONS are fictional;
phone numbers use ranges reserved for fiction (US 555-01xx, UK 07700 900xxx, DE 030 23125xxx);
e-mail addresses and "commercial" sites use the reserved example.com/.net/.org domains.
Used only by generate.py (Python 3.11 standard library only).
"""

# --------------------------------------------------------------------------------------------
# Per-language wiki conventions
# --------------------------------------------------------------------------------------------
LANG = {
    "en": dict(cat="Category", refs_header="== References ==", refs_body="{{Reflist}}",
               ext_header="== External links ==", lineno="Line {}:", cite="{{{{cite book |last={last} |first={first} |title={title} |publisher={pub} |year={year} |page={page}}}}}"),
    "de": dict(cat="Kategorie", refs_header="== Einzelnachweise ==", refs_body="<references />",
               ext_header="== Weblinks ==", lineno="Zeile {}:", cite="{{{{Literatur |Autor={first} {last} |Titel={title} |Verlag={pub} |Jahr={year} |Seiten={page}}}}}"),
    "fr": dict(cat="Catégorie", refs_header="== Notes et références ==", refs_body="{{Références}}",
               ext_header="== Liens externes ==", lineno="Ligne {} :", cite="{{{{Ouvrage |nom={last} |prénom={first} |titre={title} |éditeur={pub} |année={year} |page={page}}}}}"),
    "es": dict(cat="Categoría", refs_header="== Referencias ==", refs_body="{{listaref}}",
               ext_header="== Enlaces externos ==", lineno="Línea {}:", cite="{{{{cita libro |apellido={last} |nombre={first} |título={title} |editorial={pub} |año={year} |página={page}}}}}"),
    "pt": dict(cat="Categoria", refs_header="== Referências ==", refs_body="{{Referências}}",
               ext_header="== Ligações externas ==", lineno="Linha {}:", cite="{{{{citar livro |último={last} |primeiro={first} |título={title} |editora={pub} |ano={year} |página={page}}}}}"),
    "ja": dict(cat="Category", refs_header="== 脚注 ==", refs_body="{{Reflist}}",
               ext_header="== 外部リンク ==", lineno="{} 行目:", cite="{{{{Cite book |和書 |author={last}{first} |title={title} |publisher={pub} |year={year} |page={page}}}}}"),
}

# Invented sources for <ref> tags (book citations only: no real URLs are cited).
CITE_SOURCES = {
    "en": [("Hartley", "Joan", "A Short History of Japanese Castles", "Northbridge Press", 2019, 112),
           ("Okafor", "Daniel", "Cities of the River Delta", "Harrow & Lane", 2021, 47),
           ("Lindqvist", "Maja", "Plants and Light", "Meridian Academic", 2018, 203),
           ("Ferreira", "Paulo", "Atlantic Ports 1500-1900", "Coastline Books", 2016, 88),
           ("Nakamura", "Ken", "Railways of East Asia", "Pacific Rim Publishing", 2022, 15)],
    "de": [("Albrecht", "Klaus", "Geschichte der Stadt am Fluss", "Verlag Lindenhof", 2017, 54),
           ("Schreiber", "Anna", "Burgen und Schlösser in Süddeutschland", "Heimat-Verlag", 2020, 131),
           ("Wolff", "Peter", "Die Eisenbahn im Wandel", "Technikbuch Verlag", 2015, 77)],
    "fr": [("Durand", "Claire", "Histoire des villes fortifiées", "Éditions du Lac", 2018, 64),
           ("Morel", "Julien", "La cuisine régionale", "Presses de l'Ouest", 2021, 19),
           ("Lefèvre", "Sophie", "Les grands fleuves d'Europe", "Éditions Horizon", 2016, 142)],
    "es": [("García", "Luis", "Historia de las ciudades andaluzas", "Editorial Sur", 2019, 93),
           ("Navarro", "Elena", "Volcanes de América", "Ediciones Cordillera", 2020, 31),
           ("Ruiz", "Marta", "El ferrocarril en España", "Editorial Vía", 2017, 58)],
    "pt": [("Almeida", "João", "História do Brasil colonial", "Editora Horizonte", 2018, 72),
           ("Costa", "Beatriz", "Rios da Amazônia", "Editora Floresta", 2021, 40),
           ("Santos", "Rui", "Lisboa antiga", "Edições Tejo", 2016, 115)],
    "ja": [("山田", "太郎", "日本の城郭史", "東都書房", 2019, 88),
           ("佐藤", "花子", "近代日本の鉄道", "北辰出版", 2020, 41),
           ("鈴木", "一郎", "瀬戸内の港町", "海風社", 2017, 120)],
}

# --------------------------------------------------------------------------------------------
# Article stubs. Each stub is a short, self-consistent slice of an article.
#   title        page title (with spaces)
#   infobox      (template, [(param, value), ...], (param, new_value))  -- last item is the tweak
#   intro        first sentence (contains link_term unlinked)
#   link_term    a term in intro that a good-faith edit wikilinks
#   body         list of 1-2 sentences (typo fixes happen here)
#   section      section heading text
#   section_body sentence under the section
#   fact         a sentence a good-faith editor adds with a <ref>
#   cats         (existing category, replacement category)
# --------------------------------------------------------------------------------------------
ARTICLES = {
    "en": [
        dict(title="Osaka Castle", infobox=("Infobox military structure", [("name", "Osaka Castle"), ("built", "1583–1597"), ("condition", "Reconstructed")], ("condition", "Reconstructed (1931)")),
             intro="'''Osaka Castle''' is a Japanese castle in Chūō-ku, Osaka, Japan.", link_term="Chūō-ku, Osaka",
             body=["The castle is one of the most famous landmarks in Japan and played a major role in the unification of the country during the sixteenth century."],
             section="History", section_body="Construction began in 1583 on the former site of the Ishiyama Hongan-ji temple.",
             fact="The main keep was rebuilt in reinforced concrete in 1931 with funds raised by the citizens of Osaka.",
             cats=("Castles in Japan", "Castles in Osaka Prefecture")),
        dict(title="Photosynthesis", infobox=None,
             intro="'''Photosynthesis''' is a process used by plants and other organisms to convert light energy into chemical energy.", link_term="chemical energy",
             body=["Most plants, algae and cyanobacteria perform photosynthesis and are therefore called photoautotrophs."],
             section="Overview", section_body="The process usually takes place in the chloroplasts of leaf cells.",
             fact="On land, the rate of photosynthesis is limited mainly by the availability of water and carbon dioxide.",
             cats=("Plant physiology", "Photosynthesis")),
        dict(title="River Tamar", infobox=("Infobox river", [("name", "River Tamar"), ("length_km", "98"), ("mouth", "Plymouth Sound")], ("length_km", "97")),
             intro="The '''River Tamar''' is a river in South West England that forms most of the border between Devon and Cornwall.", link_term="South West England",
             body=["The river rises less than four miles from the north coast of Cornwall and flows southwards to the English Channel."],
             section="Crossings", section_body="The Royal Albert Bridge carries the railway across the river at Saltash.",
             fact="The Tamar Valley was designated an Area of Outstanding Natural Beauty in 1995.",
             cats=("Rivers of Cornwall", "Rivers of Devon")),
        dict(title="Lisbon Metro", infobox=("Infobox public transit", [("name", "Lisbon Metro"), ("lines", "4"), ("stations", "56")], ("stations", "57")),
             intro="The '''Lisbon Metro''' is the rapid transit system of Lisbon, Portugal.", link_term="rapid transit",
             body=["Opened in 1959, it was the first underground railway in Portugal and is operated by a state-owned company."],
             section="History", section_body="The first section connected Sete Rios and Restauradores.",
             fact="An extension of the Yellow and Green lines forming a circular route was approved in 2017.",
             cats=("Rapid transit in Portugal", "Lisbon Metro")),
        dict(title="Mount Taranaki", infobox=("Infobox mountain", [("name", "Mount Taranaki"), ("elevation_m", "2518"), ("range", "none")], ("elevation_m", "2,518")),
             intro="'''Mount Taranaki''' is a dormant stratovolcano in the Taranaki region on the west coast of New Zealand's North Island.", link_term="stratovolcano",
             body=["It is one of the most symmetrical volcanic cones in the world and is a popular destination for climbers."],
             section="Geology", section_body="The volcano began erupting about 135,000 years ago.",
             fact="The last significant eruption is thought to have occurred around 1790.",
             cats=("Volcanoes of New Zealand", "Stratovolcanoes of New Zealand")),
        dict(title="Hanseatic League", infobox=None,
             intro="The '''Hanseatic League''' was a medieval commercial and defensive network of merchant guilds and market towns in Central and Northern Europe.", link_term="merchant guilds",
             body=["Growing from a few North German towns in the late 12th century, the league came to dominate Baltic maritime trade."],
             section="Decline", section_body="The league slowly lost its privileges during the 16th and 17th centuries.",
             fact="The last formal diet of the league was held in Lübeck in 1669.",
             cats=("Hanseatic League", "Medieval economics")),
        dict(title="Eastfield Academy", infobox=("Infobox school", [("name", "Eastfield Academy"), ("type", "Academy"), ("enrollment", "1,140")], ("enrollment", "1,205")),
             intro="'''Eastfield Academy''' is a mixed secondary school and sixth form in the market town of Eastfield, England.", link_term="sixth form",
             body=["The school converted to academy status in 2012 and specialises in science and modern languages."],
             section="Facilities", section_body="A new sports hall was opened in 2019.",
             fact="The school was rated Good by Ofsted in its most recent inspection.",
             cats=("Secondary schools in England", "Academies in England")),
        dict(title="Kingfisher", infobox=None,
             intro="'''Kingfishers''' are a family of small to medium-sized, brightly coloured birds in the order Coraciiformes.", link_term="Coraciiformes",
             body=["They have a cosmopolitan distribution, with most species found in the tropical regions of Africa, Asia and Oceania."],
             section="Behaviour", section_body="Many species hunt fish by diving from a perch above the water.",
             fact="The family contains about 118 species divided into three subfamilies.",
             cats=("Birds by common name", "Kingfishers")),
        dict(title="Trans-Siberian Railway", infobox=("Infobox rail line", [("name", "Trans-Siberian Railway"), ("length", "9,289 km"), ("gauge", "1,520 mm")], ("length", "9,288.2 km")),
             intro="The '''Trans-Siberian Railway''' is a network of railways connecting European Russia to the Russian Far East.", link_term="Russian Far East",
             body=["It is the longest railway line in the world and was built between 1891 and 1916."],
             section="Route", section_body="The main route runs from Moscow to Vladivostok.",
             fact="The journey between the two termini takes about seven days on a regular passenger service.",
             cats=("Railway lines in Russia", "Trans-Siberian Railway")),
        dict(title="Sourdough", infobox=None,
             intro="'''Sourdough''' is a type of bread made by the fermentation of dough using wild lactobacillaceae and yeast.", link_term="fermentation",
             body=["Lactic acid produced during fermentation gives the bread its sour taste and improves its keeping qualities."],
             section="History", section_body="Sourdough was the main form of leavening until the spread of baker's yeast.",
             fact="A sourdough starter can be kept alive for decades if it is fed regularly.",
             cats=("Breads", "Sourdough breads")),
        dict(title="Hollin Bridge", infobox=("Infobox settlement", [("name", "Hollin Bridge"), ("population", "4,212"), ("county", "North Yorkshire")], ("population", "4,390")),
             intro="'''Hollin Bridge''' is a village and civil parish in North Yorkshire, England.", link_term="civil parish",
             body=["The village grew around a medieval crossing of the river and later became known for its woollen mills."],
             section="Governance", section_body="The parish council meets monthly in the village hall.",
             fact="The former railway station closed to passengers in 1959.",
             cats=("Villages in North Yorkshire", "Civil parishes in North Yorkshire")),
        dict(title="Saturn V", infobox=("Infobox rocket", [("name", "Saturn V"), ("height", "110.6 m"), ("launches", "13")], ("height", "110.6 m (363 ft)")),
             intro="The '''Saturn V''' is a retired American super heavy-lift launch vehicle developed by NASA.", link_term="super heavy-lift launch vehicle",
             body=["It was used in the Apollo program for human exploration of the Moon and later launched the Skylab space station."],
             section="Launch history", section_body="All thirteen Saturn V rockets launched between 1967 and 1973 reached orbit.",
             fact="Three complete vehicles are on display in the United States.",
             cats=("Apollo program", "Saturn (rocket family)")),
    ],
    "de": [
        dict(title="Burg Rabenstein (Oberfranken)", infobox=None,
             intro="Die '''Burg Rabenstein''' ist eine Spornburg im Ahorntal im Landkreis Bayreuth.", link_term="Spornburg",
             body=["Die Anlage wurde im 12. Jahrhundert erstmals urkundlich erwähnt und später mehrfach umgebaut."],
             section="Geschichte", section_body="Im Dreißigjährigen Krieg wurde die Burg schwer beschädigt.",
             fact="Heute wird die Burg als Hotel und Veranstaltungsort genutzt.",
             cats=("Burg in Europa", "Burg im Landkreis Bayreuth")),
        dict(title="Lindenau (Musterstadt)", infobox=("Infobox Ort in Deutschland", [("Name", "Lindenau"), ("Einwohner", "8412"), ("Höhe", "312")], ("Einwohner", "8530")),
             intro="'''Lindenau''' ist eine Kleinstadt im Norden des Landkreises Musterkreis.", link_term="Kleinstadt",
             body=["Die Stadt liegt an einem alten Handelsweg und erhielt im 14. Jahrhundert das Marktrecht."],
             section="Verkehr", section_body="Der Bahnhof liegt an der Strecke nach Musterburg.",
             fact="Das Rathaus wurde nach einem Brand im Jahr 1842 im klassizistischen Stil neu errichtet.",
             cats=("Ort im Musterkreis", "Stadt im Musterkreis")),
        dict(title="Photosynthese", infobox=None,
             intro="Die '''Photosynthese''' ist ein physiologischer Prozess zur Erzeugung von energiereichen Biomolekülen aus energieärmeren Stoffen mithilfe von Lichtenergie.", link_term="Biomolekülen",
             body=["Sie wird von Pflanzen, Algen und einigen Bakterien betrieben."],
             section="Bedeutung", section_body="Die Photosynthese ist die Grundlage fast aller Nahrungsketten.",
             fact="Der Wirkungsgrad der Photosynthese liegt bei den meisten Pflanzen unter zwei Prozent.",
             cats=("Stoffwechselweg", "Photosynthese")),
        dict(title="Moselbahn", infobox=None,
             intro="Die '''Moselbahn''' war eine meterspurige Kleinbahn entlang der Mosel zwischen Trier und Bullay.", link_term="Kleinbahn",
             body=["Sie wurde zwischen 1903 und 1905 eröffnet und 1968 stillgelegt."],
             section="Geschichte", section_body="Nach dem Zweiten Weltkrieg ging der Verkehr stark zurück.",
             fact="Ein Teil der Trasse wird heute als Radweg genutzt.",
             cats=("Bahnstrecke in Rheinland-Pfalz", "Ehemalige Bahnstrecke in Rheinland-Pfalz")),
        dict(title="Eisvögel", infobox=None,
             intro="Die '''Eisvögel''' sind eine Familie der Rackenvögel mit weltweiter Verbreitung.", link_term="Rackenvögel",
             body=["Die meisten Arten leben in den Tropen Afrikas, Asiens und Ozeaniens."],
             section="Lebensweise", section_body="Viele Arten jagen Fische, indem sie von einer Sitzwarte ins Wasser stoßen.",
             fact="Die Familie umfasst etwa 118 Arten in drei Unterfamilien.",
             cats=("Rackenvögel", "Eisvögel")),
        dict(title="Gymnasium am Stadtpark", infobox=("Infobox Schule", [("Name", "Gymnasium am Stadtpark"), ("Schüler", "890"), ("Lehrer", "71")], ("Schüler", "912")),
             intro="Das '''Gymnasium am Stadtpark''' ist ein allgemeinbildendes Gymnasium in Musterburg.", link_term="Gymnasium",
             body=["Die Schule wurde 1911 als Realschule gegründet und 1956 zum Gymnasium erhoben."],
             section="Profil", section_body="Die Schule bietet einen bilingualen Zweig an.",
             fact="Seit 2018 ist die Schule Teil eines Netzwerks für naturwissenschaftliche Förderung.",
             cats=("Gymnasium in Niedersachsen", "Schule in Musterburg")),
        dict(title="Sauerteig", infobox=None,
             intro="'''Sauerteig''' ist ein Teig, der durch Milchsäurebakterien und Hefen in Gärung gehalten wird.", link_term="Milchsäurebakterien",
             body=["Er wird vor allem zur Herstellung von Roggenbrot verwendet."],
             section="Herstellung", section_body="Ein Anstellgut wird regelmäßig mit Mehl und Wasser aufgefrischt.",
             fact="Roggenmehl kann ohne Säuerung nicht zu lockerem Brot verbacken werden.",
             cats=("Teig", "Brot")),
    ],
    "fr": [
        dict(title="Château de Montbrun", infobox=None,
             intro="Le '''château de Montbrun''' est un château fort situé dans la commune de Dournazac, en Haute-Vienne.", link_term="château fort",
             body=["Construit au XIIe siècle, il a été profondément remanié au XVe siècle."],
             section="Histoire", section_body="Le château a été inscrit aux monuments historiques en 1928.",
             fact="Le donjon carré est la partie la plus ancienne de l'édifice.",
             cats=("Château dans la Haute-Vienne", "Château fort en France")),
        dict(title="Photosynthèse", infobox=None,
             intro="La '''photosynthèse''' est le processus bioénergétique qui permet à des organismes de synthétiser de la matière organique en utilisant l'énergie lumineuse.", link_term="matière organique",
             body=["Elle est réalisée par les plantes, les algues et certaines bactéries."],
             section="Importance", section_body="La photosynthèse produit la quasi-totalité de l'oxygène de l'atmosphère.",
             fact="Le rendement de la photosynthèse dépasse rarement deux pour cent chez les plantes cultivées.",
             cats=("Photosynthèse", "Physiologie végétale")),
        dict(title="Saint-Aubin-sur-Loire", infobox=("Infobox Commune de France", [("nom", "Saint-Aubin-sur-Loire"), ("population", "1 204"), ("gentilé", "Albinois")], ("population", "1 231")),
             intro="'''Saint-Aubin-sur-Loire''' est une commune française située dans le département de Saône-et-Loire.", link_term="commune française",
             body=["Le village est situé sur la rive droite de la Loire, face à la commune de Bourbon-Lancy."],
             section="Histoire", section_body="Le château actuel a été construit au XVIIIe siècle.",
             fact="L'église paroissiale a été restaurée entre 2014 et 2016.",
             cats=("Commune en Saône-et-Loire", "Commune sur la Loire")),
        dict(title="Tartiflette", infobox=None,
             intro="La '''tartiflette''' est une recette de cuisine savoyarde à base de pommes de terre, de lardons et de reblochon.", link_term="cuisine savoyarde",
             body=["Elle a été popularisée dans les années 1980 par l'interprofession du reblochon."],
             section="Préparation", section_body="Le plat est gratiné au four pendant une vingtaine de minutes.",
             fact="La recette s'inspire d'un plat traditionnel appelé péla.",
             cats=("Cuisine savoyarde", "Spécialité à base de pommes de terre")),
        dict(title="Ligne de Paris-Est à Strasbourg", infobox=None,
             intro="La '''ligne de Paris-Est à Strasbourg-Ville''' est une ligne ferroviaire française à écartement standard.", link_term="écartement standard",
             body=["Elle constitue l'un des axes historiques de la Compagnie des chemins de fer de l'Est."],
             section="Histoire", section_body="La ligne a été ouverte par étapes entre 1849 et 1852.",
             fact="Une grande partie du trafic de voyageurs a été reportée sur la LGV Est européenne.",
             cats=("Ligne ferroviaire dans le Grand Est", "Ligne ferroviaire en Île-de-France")),
    ],
    "es": [
        dict(title="Alcazaba de Almería", infobox=None,
             intro="La '''alcazaba de Almería''' es un recinto amurallado situado en la ciudad española de Almería.", link_term="recinto amurallado",
             body=["Fue mandada construir en el siglo X por el califa Abderramán III."],
             section="Historia", section_body="Tras la conquista cristiana de 1489 la fortaleza fue reformada.",
             fact="Es la segunda mayor construcción defensiva levantada por los musulmanes en España.",
             cats=("Alcazabas de España", "Monumentos de Almería")),
        dict(title="Fotosíntesis", infobox=None,
             intro="La '''fotosíntesis''' es la conversión de materia inorgánica en materia orgánica gracias a la energía que aporta la luz.", link_term="materia orgánica",
             body=["En este proceso la energía lumínica se transforma en energía química estable."],
             section="Importancia", section_body="Casi toda la vida en la Tierra depende directa o indirectamente de la fotosíntesis.",
             fact="Los cloroplastos contienen los pigmentos necesarios para captar la luz.",
             cats=("Fotosíntesis", "Fisiología vegetal")),
        dict(title="Volcán Osorno", infobox=("Ficha de montaña", [("nombre", "Volcán Osorno"), ("altitud", "2652"), ("país", "Chile")], ("altitud", "2661")),
             intro="El '''volcán Osorno''' es un estratovolcán ubicado en la región de Los Lagos, en el sur de Chile.", link_term="estratovolcán",
             body=["Su forma cónica casi perfecta lo convierte en uno de los volcanes más reconocibles del país."],
             section="Actividad", section_body="La última erupción registrada ocurrió en 1869.",
             fact="El volcán está rodeado por el parque nacional Vicente Pérez Rosales.",
             cats=("Estratovolcanes de Chile", "Volcanes de la Región de Los Lagos")),
        dict(title="Villanueva del Arroyo", infobox=("Ficha de localidad de España", [("nombre", "Villanueva del Arroyo"), ("población", "2.318"), ("provincia", "Valladolid")], ("población", "2.296")),
             intro="'''Villanueva del Arroyo''' es un municipio de la provincia de Valladolid, en la comunidad autónoma de Castilla y León.", link_term="municipio",
             body=["Su economía se ha basado tradicionalmente en el cultivo de cereales y la viticultura."],
             section="Patrimonio", section_body="La iglesia parroquial data del siglo XVI.",
             fact="Las fiestas patronales se celebran a mediados de agosto.",
             cats=("Municipios de la provincia de Valladolid", "Localidades de la provincia de Valladolid")),
        dict(title="Tortilla de patatas", infobox=None,
             intro="La '''tortilla de patatas''' es una tortilla a la que se añaden patatas, muy típica de la gastronomía de España.", link_term="gastronomía de España",
             body=["Se elabora con huevos, patatas y, según la receta, cebolla."],
             section="Historia", section_body="Las primeras referencias escritas datan de comienzos del siglo XIX.",
             fact="Existe un debate popular sobre si debe llevar cebolla o no.",
             cats=("Gastronomía de España", "Platos con patata")),
    ],
    "pt": [
        dict(title="Forte de São Marcelo", infobox=None,
             intro="O '''Forte de São Marcelo''' é uma fortificação localizada na baía de Todos os Santos, em Salvador, na Bahia.", link_term="fortificação",
             body=["É a única fortificação circular do Brasil e foi construída no século XVII."],
             section="História", section_body="O forte foi tombado pelo patrimônio histórico em 1938.",
             fact="A estrutura foi restaurada e reaberta ao público em 2006.",
             cats=("Fortificações da Bahia", "Construções de Salvador")),
        dict(title="Fotossíntese", infobox=None,
             intro="A '''fotossíntese''' é um processo físico-químico realizado pelos seres vivos clorofilados.", link_term="clorofilados",
             body=["Esses organismos utilizam dióxido de carbono e água para obter glicose por meio da energia da luz."],
             section="Importância", section_body="A fotossíntese libera oxigênio para a atmosfera.",
             fact="A maior parte da fotossíntese do planeta ocorre nos oceanos.",
             cats=("Fotossíntese", "Fisiologia vegetal")),
        dict(title="Rio Tapajós", infobox=("Info/Rio", [("nome", "Rio Tapajós"), ("comprimento", "1992"), ("foz", "Rio Amazonas")], ("comprimento", "1 992")),
             intro="O '''rio Tapajós''' é um rio brasileiro que banha os estados de Mato Grosso e do Pará.", link_term="Pará",
             body=["É um dos principais afluentes da margem direita do rio Amazonas."],
             section="Geografia", section_body="A cidade de Santarém fica na confluência com o Amazonas.",
             fact="As praias de Alter do Chão ficam às margens do Tapajós.",
             cats=("Rios do Pará", "Afluentes do rio Amazonas")),
        dict(title="São Bento do Norte (Minas Gerais)", infobox=("Info/Município do Brasil", [("nome", "São Bento do Norte"), ("população", "7 412"), ("estado", "Minas Gerais")], ("população", "7 530")),
             intro="'''São Bento do Norte''' é um município brasileiro do estado de Minas Gerais.", link_term="município brasileiro",
             body=["A economia local baseia-se na pecuária leiteira e no cultivo de café."],
             section="História", section_body="O povoado foi elevado à categoria de município em 1962.",
             fact="A igreja matriz foi construída no início do século XX.",
             cats=("Municípios de Minas Gerais", "Fundações em Minas Gerais em 1962")),
        dict(title="Pastel de nata", infobox=None,
             intro="O '''pastel de nata''' é uma especialidade da doçaria portuguesa.", link_term="doçaria portuguesa",
             body=["É feito com massa folhada e recheado com um creme à base de gemas de ovo."],
             section="História", section_body="A receita terá sido criada por monges do Mosteiro dos Jerónimos.",
             fact="Em 2011 foi eleito uma das sete maravilhas da gastronomia portuguesa.",
             cats=("Doces de Portugal", "Culinária de Portugal")),
    ],
    "ja": [
        dict(title="大阪城", infobox=None,
             intro="'''大阪城'''は、大阪府大阪市中央区にある城である。", link_term="大阪市中央区",
             body=["豊臣秀吉によって築かれ、江戸時代に徳川幕府によって再建された。"],
             section="歴史", section_body="現在の天守は1931年に再建されたものである。",
             fact="天守閣の内部は歴史博物館として公開されている。",
             cats=("日本の城", "大阪府の城")),
        dict(title="光合成", infobox=None,
             intro="'''光合成'''とは、光エネルギーを化学エネルギーに変換して生体に必要な有機物を合成する反応である。", link_term="化学エネルギー",
             body=["植物や藻類、シアノバクテリアなどが行う。"],
             section="概要", section_body="反応は主に葉緑体で行われる。",
             fact="地球上の酸素の大部分は光合成によって供給されている。",
             cats=("光合成", "植物生理学")),
        dict(title="瀬戸内市", infobox=("日本の市", [("名称", "瀬戸内市"), ("人口", "35,211"), ("都道府県", "岡山県")], ("人口", "34,980")),
             intro="'''瀬戸内市'''は、岡山県の南東部に位置する市である。", link_term="岡山県",
             body=["瀬戸内海に面し、温暖な気候を生かした農業が盛んである。"],
             section="交通", section_body="市内をJR赤穂線が通っている。",
             fact="牛窓地区は日本のエーゲ海とも呼ばれる観光地である。",
             cats=("岡山県の市", "瀬戸内市")),
        dict(title="カワセミ", infobox=None,
             intro="'''カワセミ'''は、ブッポウソウ目カワセミ科に分類される鳥類の一種である。", link_term="ブッポウソウ目",
             body=["水辺に生息し、小魚を捕食する。"],
             section="生態", section_body="水面近くの枝から水中に飛び込んで魚を捕らえる。",
             fact="その美しい羽の色から「渓流の宝石」とも呼ばれる。",
             cats=("カワセミ科", "日本の鳥類")),
    ],
}

# Fictional living persons (for BLP / private-information cases and neutral person edits).
PERSONS = {
    "en": [
        dict(title="Marcus Ellery", infobox=("Infobox football biography", [("name", "Marcus Ellery"), ("birth_date", "{{birth date and age|1998|4|12}}"), ("position", "Midfielder")], ("position", "Defensive midfielder")),
             intro="'''Marcus Ellery''' (born 12 April 1998) is an English professional footballer who plays as a midfielder for Hollin Bridge Town.", link_term="midfielder",
             body=["Ellery began his career in the youth system of his local club before turning professional in 2016."],
             section="Club career", section_body="He made his league debut in August 2016 against Eastfield Rovers.",
             fact="In 2024 he was named the club's player of the season.",
             cats=("1998 births", "Living people"), surname="Ellery", pronoun="He"),
        dict(title="Dana Whitfield", infobox=("Infobox officeholder", [("name", "Dana Whitfield"), ("office", "Mayor of Port Alder"), ("term_start", "2023")], ("term_start", "January 2023")),
             intro="'''Dana Whitfield''' (born 1979) is an American politician who has served as the mayor of Port Alder since 2023.", link_term="politician",
             body=["Before entering politics, Whitfield worked as a civil engineer for the county transportation department."],
             section="Political career", section_body="She was elected to the city council in 2017.",
             fact="Whitfield was re-elected to the council in 2021.",
             cats=("1979 births", "Living people"), surname="Whitfield", pronoun="She"),
        dict(title="Priya Raman (chef)", infobox=None,
             intro="'''Priya Raman''' (born 1985) is a Canadian chef and television presenter.", link_term="television presenter",
             body=["She is known for her regional cooking series and two cookbooks."],
             section="Career", section_body="Raman opened her first restaurant in 2014.",
             fact="Her second cookbook was shortlisted for a national culinary award in 2022.",
             cats=("1985 births", "Living people"), surname="Raman", pronoun="She"),
    ],
    "de": [
        dict(title="Jonas Brenner (Handballspieler)", infobox=None,
             intro="'''Jonas Brenner''' (* 3. Mai 1996 in Musterburg) ist ein deutscher Handballspieler.", link_term="Handballspieler",
             body=["Er spielt auf der Position Rückraum links für den HSV Lindenau."],
             section="Karriere", section_body="Brenner begann das Handballspielen beim TSV Musterburg.",
             fact="Mit der Juniorennationalmannschaft gewann er 2016 eine Bronzemedaille.",
             cats=("Handballspieler (Deutschland)", "Deutscher"), surname="Brenner", pronoun="Er"),
    ],
}

# --------------------------------------------------------------------------------------------
# Edit summaries for good-faith edits
# --------------------------------------------------------------------------------------------
OK_COMMENTS = {
    "en": dict(typo=["typo", "Fixed typo", "copyedit", "spelling", "/* {section} */ typo"],
               addref=["+ref", "added sourced sentence", "/* {section} */ expanded, with source", "Adding citation"],
               cat=["±[[Category:{old}]]→[[Category:{new}]] using [[WP:HC|HotCat]]", "more specific category", "cat"],
               infobox=["update infobox", "Infobox: updated {param}", "updated {param} per source"],
               link=["link", "wikilink", "added internal link"],
               revert=["Reverted edits by [[Special:Contributions/{vandal}|{vandal}]] ([[User talk:{vandal}|talk]]) to last version by {prev}", "Undid revision {rev} by [[Special:Contributions/{vandal}|{vandal}]] ([[User talk:{vandal}|talk]]) unexplained removal", "rv vandalism"]),
    "de": dict(typo=["Tippfehler", "Rechtschreibung", "typo", "Kleinkram"],
               addref=["Beleg ergänzt", "+ Einzelnachweis", "/* {section} */ ergänzt, mit Beleg"],
               cat=["Kategorie präzisiert", "Kat", "-[[Kategorie:{old}]] +[[Kategorie:{new}]]"],
               infobox=["Infobox aktualisiert", "{param} aktualisiert", "aktualisiert"],
               link=["Link", "verlinkt", "wikilink"],
               revert=["Änderungen von [[Special:Contributions/{vandal}|{vandal}]] ([[User talk:{vandal}|Diskussion]]) auf die letzte Version von {prev} zurückgesetzt", "Vandalismus entfernt"]),
    "fr": dict(typo=["typo", "orthographe", "correction", "coquille"],
               addref=["ajout source", "+ réf", "/* {section} */ complément sourcé"],
               cat=["catégorie", "±[[Catégorie:{old}]]→[[Catégorie:{new}]] avec HotCats", "catégorisation"],
               infobox=["màj infobox", "mise à jour {param}", "actualisation"],
               link=["lien interne", "wikification", "lien"],
               revert=["Révocation des modifications de [[Spécial:Contributions/{vandal}|{vandal}]] (retour à la précédente version de {prev})", "Annulation vandalisme"]),
    "es": dict(typo=["corrección ortográfica", "errata", "ortografía"],
               addref=["añado referencia", "+ref", "/* {section} */ ampliado con fuente"],
               cat=["categoría", "cat", "±[[Categoría:{old}]]→[[Categoría:{new}]] con HotCat"],
               infobox=["actualizo ficha", "ficha: {param}", "actualización"],
               link=["enlace interno", "wikificado", "enlace"],
               revert=["Revertidos los cambios de [[Special:Contributions/{vandal}|{vandal}]] ([[User talk:{vandal}|disc.]]) a la última edición de {prev}", "deshecho vandalismo"]),
    "pt": dict(typo=["correção", "ortografia", "gralha"],
               addref=["adicionei referência", "+ref", "/* {section} */ ampliação com fonte"],
               cat=["categoria", "±[[Categoria:{old}]]→[[Categoria:{new}]] (usando HotCat)", "cat"],
               infobox=["atualizei a infocaixa", "atualização de {param}", "atualização"],
               link=["ligação interna", "wikificação", "link"],
               revert=["Foram revertidas as edições de [[Special:Contributions/{vandal}|{vandal}]] para a última revisão de {prev}", "Reversão de vandalismo"]),
    "ja": dict(typo=["誤字修正", "typo", "表記修正"],
               addref=["出典追加", "/* {section} */ 加筆（出典付き）", "+出典"],
               cat=["カテゴリ修正", "カテゴリ変更", "cat"],
               infobox=["基礎情報更新", "{param}を更新", "情報更新"],
               link=["内部リンク", "リンク追加", "リンク"],
               revert=["[[Special:Contributions/{vandal}|{vandal}]] ([[User talk:{vandal}|会話]]) による編集を {prev} による直前の版へ差し戻しました", "荒らし除去"]),
}

# --------------------------------------------------------------------------------------------
# Spam / promotion lines. {site} is replaced with a reserved example.* host.
# --------------------------------------------------------------------------------------------
SPAM = {
    "en": [
        ("* [https://www.{site} Best price luxury watches – buy now with free shipping!]", "added useful link", "luxury-watch-outlet.example.com"),
        ("Visit [https://{site} Royal Spin Casino] for the best online slots and a 200% welcome bonus!", "", "royal-spin-casino.example.net"),
        ("Buy cheap viagra and cialis online without prescription at https://{site} – discreet delivery.", "update", "pharma-direct-24.example.com"),
        ("Need more traffic? Our award-winning SEO agency guarantees page one rankings on Google: [https://{site} TopRank SEO Services]", "info", "toprank-seo.example.com"),
        ("'''{title}''' is proudly supported by BrightPath Solutions, the world's leading provider of innovative, cutting-edge business solutions. [https://www.{site} Official website]", "", "brightpath-solutions.example.com"),
        ("For the best deals on hotels near {title}, check [https://{site} CheapStays] – lowest price guaranteed!!!", "external link", "cheapstays-deals.example.org"),
        ("* [https://{site} Make $5000 a week from home – click here]", "", "easy-cash-home.example.net"),
        ("Top 10 crypto casino bonuses 2026: https://{site}/bonus?ref=wiki", "added link", "cryptobet-bonus.example.com"),
    ],
    "de": [
        ("* [https://www.{site} Günstige Uhren zum Bestpreis – jetzt kaufen!]", "Weblink ergänzt", "uhren-bestpreis.example.com"),
        ("Jetzt im [https://{site} Online-Casino] spielen und 100 Freispiele sichern!", "", "casino-freispiele.example.net"),
        ("Die Firma Meister Solar GmbH ist der führende und innovativste Anbieter von Solaranlagen in ganz Deutschland. [https://www.{site} Jetzt Angebot anfordern]", "Ergänzung", "meister-solar.example.com"),
        ("* [https://{site} Potenzmittel ohne Rezept günstig bestellen]", "", "apotheke-rezeptfrei.example.org"),
    ],
    "fr": [
        ("* [https://www.{site} Meilleur prix garanti sur les montres de luxe]", "lien utile", "montres-prix.example.com"),
        ("Jouez sur [https://{site} CasinoRoyal] et recevez un bonus de bienvenue de 500 € !", "", "casinoroyal-bonus.example.net"),
        ("L'agence Référencement Pro est le leader incontesté du SEO en France : [https://{site} devis gratuit]", "ajout", "referencement-pro.example.com"),
        ("Achetez du viagra pas cher sans ordonnance sur https://{site}", "", "pharmacie-discount.example.org"),
    ],
    "es": [
        ("* [https://www.{site} Mejor precio en relojes de lujo – compra ya]", "enlace", "relojes-oferta.example.com"),
        ("Juega en [https://{site} Casino Sol] y consigue 200 giros gratis sin depósito.", "", "casinosol-giros.example.net"),
        ("Hoteles baratos en {title} al mejor precio garantizado: https://{site}", "info", "hoteles-baratos.example.org"),
    ],
    "pt": [
        ("* [https://www.{site} Melhor preço em relógios de luxo – compre agora]", "link útil", "relogios-oferta.example.com"),
        ("Aposte no [https://{site} Cassino Sorte Grande] e ganhe bônus de 300% no primeiro depósito!", "", "sortegrande-cassino.example.net"),
        ("A empresa TopWeb Marketing é a líder absoluta em SEO no Brasil. Peça já seu orçamento: [https://{site} TopWeb]", "", "topweb-marketing.example.com"),
    ],
    "ja": [
        ("* [https://{site} ブランド時計 激安 最安値 今すぐ購入]", "リンク追加", "tokei-gekiyasu.example.com"),
        ("オンラインカジノなら[https://{site} ラッキーカジノ]！今なら入金不要ボーナス3万円プレゼント", "", "lucky-casino-jp.example.net"),
    ],
}

# --------------------------------------------------------------------------------------------
# Vandalism. "line" entries are inserted as a new line; "append" entries are appended to the
# intro sentence (rendered as an inline <ins>); blanking is generated structurally.
# --------------------------------------------------------------------------------------------
VANDAL_LINES = {
    "en": ["JAKE WAS HERE!!!!!", "THIS IS THE MOST BORING PAGE EVER WHO EVEN READS THIS HAHAHAHA",
           "lolololololololololololololol", "asdfghjkl asdfghjkl asdfghjkl", "this article is total shit and so is everyone who wrote it",
           "Tyler and Mia were here 2026 class 9B rules!!!", "POOP POOP POOP POOP", "fuck this stupid page"],
    "de": ["KEVIN WAR HIER!!!!", "Hallo Leute, wer das liest ist doof hahaha", "SCHULE IST SCHEISSE UND DIESE SEITE AUCH",
           "Lukas aus der 8b ist ein Hurensohn", "blablablablablablablablabla", "Dieser Artikel ist totaler Müll, ihr Vollidioten!!!"],
    "fr": ["KEVIN ÉTAIT LÀ !!!!", "c'est nul ce truc lol mdr mdr mdr", "JE M'ENNUIE EN COURS DE MATHS HAHAHA", "prout prout prout prout"],
    "es": ["PEPE ESTUVO AQUÍ!!!!", "jajajajajajajajajajajaja", "ESTO ES UNA MIERDA Y EL QUE LO LEA ES TONTO", "holaaaaaaaaaaaaaaaa soy el mejor"],
    "pt": ["O LUCAS ESTEVE AQUI!!!", "kkkkkkkkkkkkkkkkkkkkkkkk", "ESSE ARTIGO É UMA MERDA", "quem ler isso é burro hahaha"],
    "ja": ["うんこうんこうんこうんこ", "ああああああああああああああああ", "このページはクソ"],
}
VANDAL_APPEND = {
    "en": [" And it smells like poop.", " LOL", " Also my teacher Mr Harris is a fat idiot."],
    "de": [" Und es stinkt!!!", " Voll langweilig lol."],
    "fr": [" Et c'est nul.", " mdr"],
    "es": [" Y apesta jaja.", " xD"],
    "pt": [" E é muito chato kkk.", " rsrs"],
    "ja": [" ｗｗｗｗｗ", " 草"],
}
VANDAL_COMMENTS = {"en": ["", "", "fixed", "update", "lol"], "de": ["", "", "Korrektur"], "fr": ["", "correction"],
                   "es": ["", "arreglo"], "pt": ["", "correção"], "ja": ["", "修正"]}

# --------------------------------------------------------------------------------------------
# Personal attacks left as "comments" inside article text (namespace 0).
# --------------------------------------------------------------------------------------------
ATTACKS = {
    "en": [("<!-- Note to {editor}: you are a clueless moron, stop reverting my edits or I will find you -->", "stop reverting!!!"),
           ("To the pathetic loser {editor} who keeps deleting this: get a life, nobody likes you.", "read this"),
           ("(Editor {editor} is a biased idiot and a disgrace to Wikipedia.)", ""),
           ("<!-- {editor} is a nazi troll, ignore him -->", "comment")],
    "de": [("<!-- An {editor}: Du bist ein ahnungsloser Idiot, hör auf meine Änderungen zu löschen! -->", "Hinweis"),
           ("Der Benutzer {editor} ist ein Vollpfosten und hat hier nichts zu suchen.", "")],
    "fr": [("<!-- {editor}, espèce de crétin, arrête de supprimer mes ajouts -->", "remarque")],
    "es": [("<!-- {editor} eres un imbécil, deja de borrar lo que escribo -->", "nota")],
    "pt": [("<!-- {editor} seu idiota, pare de apagar minhas edições -->", "aviso")],
}

# --------------------------------------------------------------------------------------------
# Private information about a private (non-notable) person. Fictional numbers/addresses.
# --------------------------------------------------------------------------------------------
PRIVATE = {
    "en": [("The school caretaker, Tom Baxter, lives at 14 Mill Road, Eastfield and his mobile number is 07700 900417.", "contact info"),
           ("Her former nanny, Jenny Doe, can be contacted privately on (555) 555-0147 or at jenny.doe.home@example.com.", "added contact"),
           ("The parish clerk's home phone is 555-0192 and he lives alone at 3 Church Lane; his daughter attends Eastfield Academy.", "")],
    "de": [("Der Hausmeister Herr Dieter Kaminski wohnt in der Lindenstraße 12 und ist privat unter 030 23125 614 erreichbar.", "Kontakt")],
}

# --------------------------------------------------------------------------------------------
# BLP: unsourced criminal allegations about a (fictional) living person.
# --------------------------------------------------------------------------------------------
BLP = {
    "en": ["In March 2026 {surname} was arrested for assaulting a referee and possession of cocaine.",
           "{pronoun} was arrested for drunk driving in 2025 and is currently under investigation for fraud.",
           "{surname} has been accused of stealing money from a children's charity and is known to be a heavy drug user."],
    "de": ["{surname} wurde im Jahr 2025 wegen Körperverletzung und Drogenbesitz verhaftet."],
}
BLP_COMMENTS = {"en": ["added recent news", "update", "/* Personal life */", ""], "de": ["aktuelles", ""]}

# --------------------------------------------------------------------------------------------
# Page creations (full page text lines)
# --------------------------------------------------------------------------------------------
CREATIONS = {
    "ok": {
        "en": [("Brackenridge Reservoir", ["'''Brackenridge Reservoir''' is a reservoir in the Pennine hills of northern England.", "", "It was completed in 1908 to supply drinking water to nearby mill towns.<ref>{{cite book |last=Hartley |first=Joan |title=Water for the Mill Towns |publisher=Northbridge Press |year=2015 |page=33}}</ref>", "", "== References ==", "{{Reflist}}", "", "[[Category:Reservoirs in West Yorkshire]]"], "Created page with \"'''Brackenridge Reservoir''' is a reservoir in the Pennine hills of northern England.\""),
               ("Saltmarsh beetle", ["The '''saltmarsh beetle''' (''Bledius spectabilis'') is a species of rove beetle found on coastal salt marshes in Europe.", "", "Adults dig burrows in the mud and feed on diatoms.<ref>{{cite book |last=Lindqvist |first=Maja |title=Coastal Invertebrates |publisher=Meridian Academic |year=2020 |page=71}}</ref>", "", "== References ==", "{{Reflist}}", "", "[[Category:Staphylinidae]]"], "new article"),
               ("Port Alder Lighthouse", ["#REDIRECT [[Port Alder#Lighthouse]]", "", "{{Redirect category shell|", "{{R to section}}", "}}"], "Redirected page to [[Port Alder#Lighthouse]]")],
        "de": [("Mühlbach (Lindenau)", ["Der '''Mühlbach''' ist ein etwa 6 km langer rechter Zufluss der Linde im Musterkreis.", "", "Der Bach entspringt im Hügelland nördlich von Lindenau.<ref>{{Literatur |Autor=Klaus Albrecht |Titel=Gewässer im Musterkreis |Verlag=Verlag Lindenhof |Jahr=2012 |Seiten=18}}</ref>", "", "== Einzelnachweise ==", "<references />", "", "[[Kategorie:Fluss in Niedersachsen]]"], "neu angelegt")],
        "es": [("Ermita de San Roque (Villanueva del Arroyo)", ["La '''ermita de San Roque''' es un templo católico situado en Villanueva del Arroyo, en la provincia de Valladolid.", "", "Fue construida en el siglo XVII.<ref>{{cita libro |apellido=García |nombre=Luis |título=Ermitas de Castilla |editorial=Editorial Sur |año=2014 |página=77}}</ref>", "", "== Referencias ==", "{{listaref}}", "", "[[Categoría:Ermitas de la provincia de Valladolid]]"], "Página creada con «La '''ermita de San Roque''' es un templo católico situado en Villanueva del Arroyo»")],
        "ja": [("牛窓港", ["'''牛窓港'''（うしまどこう）は、岡山県瀬戸内市にある港湾である。", "", "古くから瀬戸内海航路の風待ち港として栄えた<ref>{{Cite book |和書 |author=鈴木一郎 |title=瀬戸内の港町 |publisher=海風社 |year=2017 |page=54}}</ref>。", "", "== 脚注 ==", "{{Reflist}}", "", "[[Category:岡山県の港湾]]"], "新規作成")],
        "fr": [("Moulin de la Besbre", ["Le '''moulin de la Besbre''' est un ancien moulin à eau situé sur la Besbre, dans l'Allier.", "", "Il a fonctionné jusqu'en 1952.<ref>{{Ouvrage |nom=Durand |prénom=Claire |titre=Moulins du Bourbonnais |éditeur=Éditions du Lac |année=2011 |page=90}}</ref>", "", "== Notes et références ==", "{{Références}}", "", "[[Catégorie:Moulin dans l'Allier]]"], "Création")],
    },
    "spam": {
        "en": [("BrightPath Solutions", ["'''BrightPath Solutions''' is the world's leading, award-winning provider of innovative cutting-edge digital marketing solutions.", "", "With our passionate team of experts we deliver best-in-class results for clients at the best price!", "", "Contact us today: [https://www.brightpath-solutions.example.com www.brightpath-solutions.example.com] – call now for a free quote!"], "Created page with \"'''BrightPath Solutions''' is the world's leading, award-winning provider\"")],
        "pt": [("Cassino Sorte Grande", ["O '''Cassino Sorte Grande''' é o melhor cassino online do Brasil, com os maiores bônus do mercado!", "", "Cadastre-se agora e ganhe 300% no primeiro depósito: [https://sortegrande-cassino.example.net sortegrande-cassino.example.net]"], "Página criada com \"O '''Cassino Sorte Grande''' é o melhor cassino online do Brasil\"")],
    },
    "vandalism": {
        "en": [("Jake is awesome", ["JAKE IS THE BEST PERSON IN THE WORLD AND EVERYONE ELSE IS STUPID!!!!!!!!", "", "lolololololololololol"], "Created page with \"JAKE IS THE BEST PERSON IN THE WORLD AND EVERYONE ELSE IS STUPID!!!!!!!!\"")],
        "de": [("Kevin ist doof", ["Kevin aus der 7c ist voll doof und stinkt hahahaha", "", "blablablablablabla"], "Die Seite wurde neu angelegt: „Kevin aus der 7c ist voll doof und stinkt hahahaha“")],
    },
}

# Commons gallery pages (namespace 0 on commonswiki)
COMMONS_GALLERIES = [
    dict(title="Tokyo", lines=["{{Wikipedia|ja}}", "'''Tokyo''' (東京) – capital of Japan.", "", "== Landmarks ==", "<gallery>",
                               "File:Tokyo Tower 2023.jpg|Tokyo Tower", "File:Sensoji 2024 Asakusa.jpg|Sensō-ji", "</gallery>", "", "[[Category:Tokyo]]"],
         add="File:Shibuya Crossing night 2025.jpg|Shibuya Crossing"),
    dict(title="Lisbon", lines=["{{Wikipedia|pt}}", "'''Lisbon''' (Lisboa) – capital of Portugal.", "", "== Views ==", "<gallery>",
                                "File:Lisbon Alfama rooftops 2022.jpg|Alfama", "File:Torre de Belém 2023.jpg|Belém Tower", "</gallery>", "", "[[Category:Lisbon]]"],
         add="File:Tram 28 Lisbon 2024.jpg|Tram 28"),
    dict(title="Kingfisher", lines=["'''Kingfisher''' – Alcedinidae", "", "== Alcedo atthis ==", "<gallery>",
                                    "File:Alcedo atthis 2021 perch.jpg|Common kingfisher", "File:Alcedo atthis diving.jpg|Diving", "</gallery>", "", "[[Category:Alcedinidae]]"],
         add="File:Alcedo atthis female 2025.jpg|Female"),
]

# Wikidata items used for wikibase-item edits (real Q/P ids; labels as on Wikidata).
WD_ITEMS = [("Q64", "Berlin"), ("Q90", "Paris"), ("Q1490", "Tokyo"), ("Q2807", "Madrid"), ("Q84", "London"),
            ("Q7186", "Marie Curie"), ("Q937", "Albert Einstein"), ("Q42", "Douglas Adams")]
WD_PROPS = {"P31": "instance of", "P17": "country", "P1082": "population", "P856": "official website",
            "P571": "inception", "P18": "image", "P1448": "official name"}

# Usernames (fictional)
USERS = {
    "en": ["Kestrel Reads", "Lumenwright", "Tarn Fieldwork", "HollyOak1987", "Quillan Marsh", "Ferrous Owl", "MapleAndRust", "Sable Notes", "Dunmore Archivist", "Pellucid Fern", "Corvid Ledger", "Orrin Vale"],
    "de": ["Lindenblatt", "Tobias Krüger", "Feldlerche42", "Moosbach", "Hafenmeister", "Kartograph-NRW"],
    "fr": ["Mireille.D", "Vieux Chêne", "Loup des Causses", "Belvédère", "Pimprenelle"],
    "es": ["Rocío del Monte", "Alcaraván", "Javier.Ortega", "Sierra Nevadense", "Canela y Clavo"],
    "pt": ["Beija-flor azul", "Marcos.Ribeiro", "Cajueiro", "Maré Alta"],
    "ja": ["山桜の木", "Kiso_river", "瀬戸の夕凪", "Hoshizora2011"],
    "commons": ["Hoshizora2011", "Lumenwright", "Alcedo fan", "Beija-flor azul"],
    "wikidata": ["Sable Notes", "Moosbach", "Loup des Causses", "Canela y Clavo", "Quillan Marsh"],
}
NEW_USERS = {
    "en": ["BrightPathMarketing", "SeoGuru2026", "WatchDeals99", "CasinoKing777", "Jakeyboi2011", "Mia.K.2012"],
    "de": ["Solarmeister2026", "KevinXD2012"],
    "fr": ["RefPro2026", "Mattéo.9"],
    "es": ["OfertasTop", "Pepito.2013"],
    "pt": ["TopWebMkt", "lucas.gamer2012"],
    "ja": ["gekiyasu777"],
    "commons": ["PrintDeals"],
    "wikidata": ["BonusHunter"],
}
BOTS = {
    "en": ["InternetArchiveBot", "Citation bot", "Cewbot", "GreenC bot"],
    "de": ["Lindenbot", "Kategoriepflege-Bot"],
    "fr": ["Salebot", "OrlodrimBot"],
    "es": ["SeroBOT"],
    "pt": ["Salebot"],
    "ja": ["Cewbot"],
    "commons": ["SchlurcherBot", "DeltaBot"],
    "wikidata": ["KrBot", "DeltaBot"],
}
