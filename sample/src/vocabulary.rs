//! Word lists that names, descriptions, reviews, amenities and tags are built from.

/// Room types with their share of listings.
pub(crate) const ROOM_TYPES: &[(&str, u32)] = &[
    ("Entire home/apt", 62),
    ("Private room", 31),
    ("Hotel room", 4),
    ("Shared room", 3),
];

/// Property types of homes and rooms (hotel rooms use [`HOTEL_PROPERTY_TYPES`]).
pub(crate) const PROPERTY_TYPES: &[(&str, u32)] = &[
    ("Apartment", 45),
    ("House", 12),
    ("Condominium", 10),
    ("Loft", 6),
    ("Townhouse", 6),
    ("Serviced apartment", 5),
    ("Guest suite", 5),
    ("Bed and breakfast", 4),
    ("Cottage", 3),
    ("Villa", 3),
    ("Tiny house", 1),
];

/// Property types of hotel rooms.
pub(crate) const HOTEL_PROPERTY_TYPES: &[(&str, u32)] =
    &[("Boutique hotel", 3), ("Hotel", 2), ("Hostel", 1)];

/// Guests an entire home sleeps, by share.
pub(crate) const ENTIRE_HOME_GUESTS: &[(u64, u32)] = &[
    (1, 3),
    (2, 30),
    (3, 10),
    (4, 25),
    (5, 6),
    (6, 12),
    (7, 2),
    (8, 6),
    (10, 3),
    (12, 2),
    (16, 1),
];

/// Number of reviews a listing has, by share.
pub(crate) const REVIEW_COUNTS: &[(usize, u32)] = &[
    (0, 25),
    (1, 12),
    (2, 11),
    (3, 10),
    (4, 9),
    (5, 9),
    (6, 8),
    (7, 8),
    (8, 8),
];

/// Review ratings, by share (guests are generous).
pub(crate) const RATINGS: &[(u64, u32)] = &[(5, 55), (4, 28), (3, 10), (2, 4), (1, 3)];

pub(crate) const ADJECTIVES: &[&str] = &[
    "Cozy",
    "Bright",
    "Spacious",
    "Quiet",
    "Modern",
    "Charming",
    "Sunny",
    "Stylish",
    "Elegant",
    "Rustic",
    "Minimalist",
    "Light-filled",
    "Renovated",
    "Historic",
    "Airy",
    "Peaceful",
];

pub(crate) const FEATURES: &[&str] = &[
    "a sunny balcony",
    "a fully equipped kitchen",
    "fast wifi",
    "a rooftop terrace",
    "a view over the river",
    "a private garden",
    "high ceilings",
    "a comfortable king-size bed",
    "a dedicated workspace",
    "a clawfoot bathtub",
    "floor-to-ceiling windows",
    "a wood-burning fireplace",
    "a quiet courtyard",
    "original hardwood floors",
    "a walk-in rain shower",
    "a small library of books",
];

pub(crate) const NEARBY: &[&str] = &[
    "a short walk from",
    "steps from",
    "ten minutes by metro from",
    "close to",
    "around the corner from",
    "on a quiet street near",
];

pub(crate) const CLOSERS: &[&str] = &[
    "Perfect for couples and solo travellers.",
    "Ideal for families and long stays.",
    "Great for business trips, with a desk and reliable internet.",
    "Cafés, bakeries and restaurants are all within walking distance.",
    "Public transport stops right outside the building.",
    "Check-in is self-service with a smart lock.",
    "The building has an elevator and step-free access.",
    "Pets are welcome on request.",
];

/// Amenities with how common they are (Wifi nearly everywhere, an EV charger rarely).
pub(crate) const AMENITIES: &[(&str, u32)] = &[
    ("Wifi", 40),
    ("Kitchen", 30),
    ("Air conditioning", 14),
    ("Heating", 25),
    ("Washer", 16),
    ("Dryer", 9),
    ("Dedicated workspace", 10),
    ("TV", 18),
    ("Hair dryer", 15),
    ("Iron", 12),
    ("Free parking on premises", 8),
    ("Paid parking off premises", 5),
    ("Pool", 3),
    ("Hot tub", 2),
    ("EV charger", 1),
    ("Crib", 4),
    ("Gym", 3),
    ("Breakfast", 3),
    ("Smoke alarm", 25),
    ("Carbon monoxide alarm", 12),
    ("First aid kit", 10),
    ("Fire extinguisher", 12),
    ("Coffee maker", 14),
    ("Dishwasher", 10),
    ("Microwave", 14),
    ("Refrigerator", 18),
    ("Elevator", 9),
    ("Balcony", 7),
    ("Garden", 5),
    ("BBQ grill", 3),
    ("Self check-in", 12),
    ("Long term stays allowed", 16),
    ("Pets allowed", 5),
    ("Luggage dropoff allowed", 6),
    ("Essentials", 30),
    ("Bed linens", 20),
    ("Extra pillows and blankets", 9),
    ("Espresso machine", 4),
];

pub(crate) const TAGS: &[&str] = &[
    "family-friendly",
    "pet-friendly",
    "business",
    "romantic",
    "long-term",
    "beachfront",
    "city-center",
    "eco",
    "luxury",
    "budget",
    "workspace",
    "accessible",
    "nightlife",
    "quiet",
];

/// First names of hosts and reviewers, several of them non-ASCII.
pub(crate) const FIRST_NAMES: &[&str] = &[
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Sophie",
    "Lucas",
    "Mia",
    "Hugo",
    "Chloé",
    "José",
    "Zoë",
    "François",
    "Jürgen",
    "Søren",
    "Łukasz",
    "Ana",
    "João",
    "María",
    "Giulia",
    "Matteo",
    "Yuki",
    "さくら",
    "Hiroshi",
    "Aiko",
    "Chen",
    "Priya",
    "Omar",
    "Fatima",
    "Ingrid",
    "Björn",
    "Camille",
    "Léa",
    "Mateo",
    "Valentina",
    "Kai",
    "Amara",
    "Noor",
    "Ethan",
    "Grace",
    "Oscar",
];

/// Review comments by rating (index 0 = 1 star). `{landmark}` is replaced.
pub(crate) const COMMENTS: [&[&str]; 5] = [
    &[
        "Not as described, and the host never answered.",
        "Dirty on arrival and very noisy at night.",
        "We left after one night. Would not recommend.",
    ],
    &[
        "The photos are flattering; the place needs work.",
        "Location near {landmark} is fine, but the bed was uncomfortable.",
        "Check-in was chaotic and the heating did not work.",
    ],
    &[
        "Decent value, nothing special.",
        "Good location near {landmark}, a bit worn inside.",
        "Okay for a short stay; thin walls.",
    ],
    &[
        "Nice place, good location near {landmark}.",
        "Comfortable and clean, the host was responsive.",
        "Great value for the area. Small kitchen though.",
    ],
    &[
        "Wonderful stay, would come back!",
        "Spotless, quiet and exactly as described.",
        "Perfect base for exploring {landmark}. Thank you!",
        "The host thought of everything. Highly recommended.",
    ],
];
