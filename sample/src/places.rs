//! The real cities listings are placed in: coordinates, local currency, typical prices,
//! landmarks, and how streets are written in each country.

/// How addresses are written in a country.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreetStyle {
    /// `221 Baker Street`
    NumberFirst,
    /// `Hauptstraße 12`
    NumberLast,
    /// `Via del Corso, 12`
    NumberAfterComma,
    /// `本町 2-14-7`
    JapaneseBlock,
}

/// A country and how its streets look.
#[derive(Debug)]
pub(crate) struct Country {
    pub name: &'static str,
    pub code: &'static str,
    pub currency: &'static str,
    /// Prices are quoted in whole units of this size (100 for JPY, 0.01 for most).
    pub price_step: f64,
    pub street_style: StreetStyle,
    pub streets: &'static [&'static str],
}

/// A city listings are placed in.
#[derive(Debug)]
pub(crate) struct City {
    pub name: &'static str,
    pub country: &'static Country,
    pub lat: f64,
    pub lon: f64,
    /// Relative number of listings (big tourist cities have more).
    pub weight: u32,
    /// A typical night in an entire home for four, in the local currency.
    pub base_price: f64,
    /// Places that names, descriptions and reviews mention.
    pub landmarks: &'static [&'static str],
}

const US: Country = Country {
    name: "United States",
    code: "US",
    currency: "USD",
    price_step: 0.01,
    street_style: StreetStyle::NumberFirst,
    streets: &[
        "Main Street",
        "Oak Avenue",
        "Maple Drive",
        "Park Avenue",
        "Sunset Boulevard",
        "Elm Street",
        "Ocean Drive",
        "Washington Street",
    ],
};
const CA: Country = Country {
    name: "Canada",
    code: "CA",
    currency: "CAD",
    price_step: 0.01,
    street_style: StreetStyle::NumberFirst,
    streets: &[
        "Queen Street West",
        "Rue Saint-Denis",
        "Robson Street",
        "King Street East",
        "Boulevard Saint-Laurent",
        "Granville Street",
    ],
};
const MX: Country = Country {
    name: "Mexico",
    code: "MX",
    currency: "MXN",
    price_step: 0.01,
    street_style: StreetStyle::NumberLast,
    streets: &[
        "Avenida Álvaro Obregón",
        "Calle Ámsterdam",
        "Paseo de la Reforma",
        "Avenida Tulum",
        "Calle Colima",
    ],
};
const BR: Country = Country {
    name: "Brazil",
    code: "BR",
    currency: "BRL",
    price_step: 0.01,
    street_style: StreetStyle::NumberAfterComma,
    streets: &[
        "Rua Augusta",
        "Avenida Paulista",
        "Rua Oscar Freire",
        "Avenida Atlântica",
        "Rua Visconde de Pirajá",
        "Rua da Consolação",
    ],
};
const GB: Country = Country {
    name: "United Kingdom",
    code: "GB",
    currency: "GBP",
    price_step: 0.01,
    street_style: StreetStyle::NumberFirst,
    streets: &[
        "Baker Street",
        "Portobello Road",
        "Royal Mile",
        "Camden High Street",
        "Princes Street",
        "Brick Lane",
    ],
};
const FR: Country = Country {
    name: "France",
    code: "FR",
    currency: "EUR",
    price_step: 0.01,
    street_style: StreetStyle::NumberFirst,
    streets: &[
        "rue de Rivoli",
        "boulevard Saint-Germain",
        "rue Mouffetard",
        "promenade des Anglais",
        "rue de la République",
        "quai Saint-Antoine",
    ],
};
const DE: Country = Country {
    name: "Germany",
    code: "DE",
    currency: "EUR",
    price_step: 0.01,
    street_style: StreetStyle::NumberLast,
    streets: &[
        "Hauptstraße",
        "Friedrichstraße",
        "Schönhauser Allee",
        "Maximilianstraße",
        "Kastanienallee",
        "Ehrenstraße",
    ],
};
const ES: Country = Country {
    name: "Spain",
    code: "ES",
    currency: "EUR",
    price_step: 0.01,
    street_style: StreetStyle::NumberAfterComma,
    streets: &[
        "Calle de Alcalá",
        "Carrer de Mallorca",
        "Gran Vía",
        "Calle Sierpes",
        "Passeig de Gràcia",
        "Calle Mayor",
    ],
};
const IT: Country = Country {
    name: "Italy",
    code: "IT",
    currency: "EUR",
    price_step: 0.01,
    street_style: StreetStyle::NumberAfterComma,
    streets: &[
        "Via del Corso",
        "Via Montenapoleone",
        "Via de' Tornabuoni",
        "Via Giulia",
        "Corso Buenos Aires",
        "Via dei Coronari",
    ],
};
const CH: Country = Country {
    name: "Switzerland",
    code: "CH",
    currency: "CHF",
    price_step: 0.01,
    street_style: StreetStyle::NumberLast,
    streets: &[
        "Bahnhofstrasse",
        "Niederdorfstrasse",
        "Rue du Rhône",
        "Seefeldstrasse",
        "Rue de Carouge",
    ],
};
const JP: Country = Country {
    name: "Japan",
    code: "JP",
    currency: "JPY",
    price_step: 100.0,
    street_style: StreetStyle::JapaneseBlock,
    streets: &["本町", "中央", "栄町", "緑町", "桜丘", "東山"],
};
const AU: Country = Country {
    name: "Australia",
    code: "AU",
    currency: "AUD",
    price_step: 0.01,
    street_style: StreetStyle::NumberFirst,
    streets: &[
        "George Street",
        "Collins Street",
        "Oxford Street",
        "Chapel Street",
        "Campbell Parade",
    ],
};

macro_rules! city {
    ($name:expr, $country:expr, $lat:expr, $lon:expr, $weight:expr, $price:expr, [$($landmark:expr),+ $(,)?]) => {
        City {
            name: $name,
            country: &$country,
            lat: $lat,
            lon: $lon,
            weight: $weight,
            base_price: $price,
            landmarks: &[$($landmark),+],
        }
    };
}

/// The cities, with listing weights roughly like a real short-stay market.
pub(crate) static CITIES: &[City] = &[
    city!(
        "New York",
        US,
        40.7128,
        -74.0060,
        9,
        220.0,
        ["Central Park", "Times Square", "the Brooklyn Bridge"]
    ),
    city!(
        "Los Angeles",
        US,
        34.0522,
        -118.2437,
        6,
        190.0,
        ["Venice Beach", "Hollywood", "Griffith Observatory"]
    ),
    city!(
        "San Francisco",
        US,
        37.7749,
        -122.4194,
        3,
        240.0,
        [
            "the Golden Gate Bridge",
            "Mission Dolores Park",
            "Fisherman's Wharf"
        ]
    ),
    city!(
        "Chicago",
        US,
        41.8781,
        -87.6298,
        3,
        160.0,
        ["Millennium Park", "the Magnificent Mile", "Wrigley Field"]
    ),
    city!(
        "Miami",
        US,
        25.7617,
        -80.1918,
        3,
        210.0,
        ["South Beach", "Little Havana", "the Wynwood Walls"]
    ),
    city!(
        "Toronto",
        CA,
        43.6532,
        -79.3832,
        4,
        170.0,
        [
            "the CN Tower",
            "Kensington Market",
            "the Distillery District"
        ]
    ),
    city!(
        "Montréal",
        CA,
        45.5019,
        -73.5674,
        3,
        140.0,
        ["the Plateau", "Old Montréal", "Mount Royal"]
    ),
    city!(
        "Vancouver",
        CA,
        49.2827,
        -123.1207,
        2,
        190.0,
        ["Stanley Park", "Gastown", "Granville Island"]
    ),
    city!(
        "Ciudad de México",
        MX,
        19.4326,
        -99.1332,
        4,
        1400.0,
        ["the Zócalo", "Roma Norte", "Bosque de Chapultepec"]
    ),
    city!(
        "Cancún",
        MX,
        21.1619,
        -86.8515,
        2,
        2200.0,
        ["the Hotel Zone", "Playa Delfines", "Isla Mujeres ferry"]
    ),
    city!(
        "São Paulo",
        BR,
        -23.5505,
        -46.6333,
        4,
        320.0,
        ["Avenida Paulista", "Vila Madalena", "Ibirapuera Park"]
    ),
    city!(
        "Rio de Janeiro",
        BR,
        -22.9068,
        -43.1729,
        5,
        380.0,
        ["Copacabana", "Ipanema Beach", "Sugarloaf Mountain"]
    ),
    city!(
        "London",
        GB,
        51.5074,
        -0.1278,
        9,
        170.0,
        ["Hyde Park", "the Tower of London", "Notting Hill"]
    ),
    city!(
        "Edinburgh",
        GB,
        55.9533,
        -3.1883,
        2,
        140.0,
        ["the Royal Mile", "Arthur's Seat", "Edinburgh Castle"]
    ),
    city!(
        "Paris",
        FR,
        48.8566,
        2.3522,
        9,
        160.0,
        ["the Eiffel Tower", "Le Marais", "Montmartre"]
    ),
    city!(
        "Nice",
        FR,
        43.7102,
        7.2620,
        2,
        150.0,
        ["the Promenade des Anglais", "Vieux Nice", "Castle Hill"]
    ),
    city!(
        "Lyon",
        FR,
        45.7640,
        4.8357,
        2,
        100.0,
        ["Vieux Lyon", "Fourvière", "the Presqu'île"]
    ),
    city!(
        "Berlin",
        DE,
        52.5200,
        13.4050,
        5,
        110.0,
        ["the Brandenburg Gate", "Kreuzberg", "Museum Island"]
    ),
    city!(
        "München",
        DE,
        48.1351,
        11.5820,
        2,
        140.0,
        ["the Englischer Garten", "Marienplatz", "Schwabing"]
    ),
    city!(
        "Köln",
        DE,
        50.9375,
        6.9603,
        1,
        95.0,
        [
            "the Kölner Dom",
            "the Belgian Quarter",
            "the Rhine promenade"
        ]
    ),
    city!(
        "Barcelona",
        ES,
        41.3874,
        2.1686,
        6,
        140.0,
        [
            "the Sagrada Família",
            "the Gothic Quarter",
            "Barceloneta Beach"
        ]
    ),
    city!(
        "Madrid",
        ES,
        40.4168,
        -3.7038,
        4,
        115.0,
        ["Puerta del Sol", "the Retiro Park", "Malasaña"]
    ),
    city!(
        "Sevilla",
        ES,
        37.3891,
        -5.9845,
        2,
        100.0,
        ["the Alcázar", "Triana", "Plaza de España"]
    ),
    city!(
        "Roma",
        IT,
        41.9028,
        12.4964,
        6,
        120.0,
        ["the Colosseum", "Trastevere", "the Pantheon"]
    ),
    city!(
        "Milano",
        IT,
        45.4642,
        9.1900,
        3,
        130.0,
        ["the Duomo", "Navigli", "Brera"]
    ),
    city!(
        "Firenze",
        IT,
        43.7696,
        11.2558,
        3,
        125.0,
        ["the Ponte Vecchio", "the Uffizi", "Santo Spirito"]
    ),
    city!(
        "Zürich",
        CH,
        47.3769,
        8.5417,
        1,
        230.0,
        ["the Old Town", "Lake Zürich", "Zürich West"]
    ),
    city!(
        "Genève",
        CH,
        46.2044,
        6.1432,
        1,
        220.0,
        ["the Jet d'Eau", "the Old Town", "Lake Geneva"]
    ),
    city!(
        "東京",
        JP,
        35.6762,
        139.6503,
        7,
        18000.0,
        ["渋谷", "新宿御苑", "浅草寺"]
    ),
    city!(
        "大阪",
        JP,
        34.6937,
        135.5023,
        3,
        13000.0,
        ["道頓堀", "大阪城", "梅田"]
    ),
    city!(
        "京都",
        JP,
        35.0116,
        135.7681,
        3,
        16000.0,
        ["祇園", "伏見稲荷大社", "嵐山"]
    ),
    city!(
        "Sydney",
        AU,
        -33.8688,
        151.2093,
        5,
        230.0,
        ["Bondi Beach", "the Opera House", "Surry Hills"]
    ),
    city!(
        "Melbourne",
        AU,
        -37.8136,
        144.9631,
        3,
        190.0,
        ["Fitzroy", "the Queen Victoria Market", "St Kilda"]
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn about_thirty_cities_in_twelve_countries() {
        let countries: BTreeSet<&str> = CITIES.iter().map(|c| c.country.code).collect();
        assert_eq!(countries.len(), 12);
        assert!((28..=36).contains(&CITIES.len()));
        for city in CITIES {
            assert!((-90.0..=90.0).contains(&city.lat) && (-180.0..=180.0).contains(&city.lon));
            assert!(city.weight > 0 && city.base_price > 0.0, "{}", city.name);
            assert!(!city.country.streets.is_empty());
        }
        assert!(CITIES.iter().any(|c| c.name == "São Paulo"));
        assert!(CITIES.iter().any(|c| c.name == "Zürich"));
        assert!(CITIES.iter().any(|c| c.name == "東京"));
    }
}
