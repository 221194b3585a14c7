// Reference data for the demo network: real European city coordinates and countries, made-up operators,
// street names and place words per language. Company names are invented; any likeness is accidental.

export type Lang = 'de' | 'fr' | 'nl' | 'fi' | 'pt' | 'es' | 'it';

export interface Country {
  alpha2: string;
  alpha3: string;
  timeZone: string;
  /** Standard VAT rate in percent, applied to charging. */
  vat: number;
  /** Motorway name for service-area addresses. */
  road: string;
}

export const COUNTRIES: Record<string, Country> = {
  DE: { alpha2: 'DE', alpha3: 'DEU', timeZone: 'Europe/Berlin', vat: 19, road: 'A7' },
  FR: { alpha2: 'FR', alpha3: 'FRA', timeZone: 'Europe/Paris', vat: 20, road: 'A6' },
  NL: { alpha2: 'NL', alpha3: 'NLD', timeZone: 'Europe/Amsterdam', vat: 21, road: 'A2' },
  FI: { alpha2: 'FI', alpha3: 'FIN', timeZone: 'Europe/Helsinki', vat: 25.5, road: 'VT3' },
  AT: { alpha2: 'AT', alpha3: 'AUT', timeZone: 'Europe/Vienna', vat: 20, road: 'A1' },
  PT: { alpha2: 'PT', alpha3: 'PRT', timeZone: 'Europe/Lisbon', vat: 23, road: 'A1' },
  ES: { alpha2: 'ES', alpha3: 'ESP', timeZone: 'Europe/Madrid', vat: 21, road: 'AP-7' },
  BE: { alpha2: 'BE', alpha3: 'BEL', timeZone: 'Europe/Brussels', vat: 21, road: 'E40' },
  IT: { alpha2: 'IT', alpha3: 'ITA', timeZone: 'Europe/Rome', vat: 22, road: 'A1' },
};

export interface City {
  name: string;
  country: string;
  lat: number;
  lon: number;
  /** Population in 100,000s: how many stations cluster here. */
  weight: number;
  lang: Lang;
  /** Postal code pattern: # = digit, @ = capital letter. */
  postal: string;
  /** A time zone other than the country's (the Azores). */
  timeZone?: string;
  /** A VAT rate other than the country's (the Azores: 16 %). */
  vat?: number;
  /** Tariff region when prices differ inside a country (the Azores: ISO 3166-2 PT-20). */
  region?: string;
  /** On an island: no motorway corridors to other cities. */
  island?: boolean;
}

export const CITIES: City[] = [
  { name: 'Berlin', country: 'DE', lat: 52.52, lon: 13.405, weight: 37, lang: 'de', postal: '1####' },
  { name: 'Hamburg', country: 'DE', lat: 53.5511, lon: 9.9937, weight: 18, lang: 'de', postal: '2####' },
  { name: 'München', country: 'DE', lat: 48.1351, lon: 11.582, weight: 15, lang: 'de', postal: '80###' },
  { name: 'Köln', country: 'DE', lat: 50.9375, lon: 6.9603, weight: 11, lang: 'de', postal: '50###' },
  { name: 'Frankfurt am Main', country: 'DE', lat: 50.1109, lon: 8.6821, weight: 7.5, lang: 'de', postal: '60###' },
  { name: 'Stuttgart', country: 'DE', lat: 48.7758, lon: 9.1829, weight: 6.3, lang: 'de', postal: '70###' },
  { name: 'Düsseldorf', country: 'DE', lat: 51.2277, lon: 6.7735, weight: 6.2, lang: 'de', postal: '40###' },
  { name: 'Leipzig', country: 'DE', lat: 51.3397, lon: 12.3731, weight: 6, lang: 'de', postal: '04###' },
  { name: 'Dresden', country: 'DE', lat: 51.0504, lon: 13.7373, weight: 5.6, lang: 'de', postal: '01###' },
  { name: 'Hannover', country: 'DE', lat: 52.3759, lon: 9.732, weight: 5.4, lang: 'de', postal: '30###' },
  { name: 'Nürnberg', country: 'DE', lat: 49.4521, lon: 11.0767, weight: 5.2, lang: 'de', postal: '90###' },
  { name: 'Bremen', country: 'DE', lat: 53.0793, lon: 8.8017, weight: 5.7, lang: 'de', postal: '28###' },
  { name: 'Paris', country: 'FR', lat: 48.8566, lon: 2.3522, weight: 21, lang: 'fr', postal: '750##' },
  { name: 'Lyon', country: 'FR', lat: 45.764, lon: 4.8357, weight: 5.2, lang: 'fr', postal: '6900#' },
  { name: 'Marseille', country: 'FR', lat: 43.2965, lon: 5.3698, weight: 8.7, lang: 'fr', postal: '130##' },
  { name: 'Toulouse', country: 'FR', lat: 43.6047, lon: 1.4442, weight: 4.9, lang: 'fr', postal: '310##' },
  { name: 'Nice', country: 'FR', lat: 43.7102, lon: 7.262, weight: 3.4, lang: 'fr', postal: '060##' },
  { name: 'Bordeaux', country: 'FR', lat: 44.8378, lon: -0.5792, weight: 2.6, lang: 'fr', postal: '330##' },
  { name: 'Lille', country: 'FR', lat: 50.6292, lon: 3.0573, weight: 2.3, lang: 'fr', postal: '590##' },
  { name: 'Strasbourg', country: 'FR', lat: 48.5734, lon: 7.7521, weight: 2.9, lang: 'fr', postal: '670##' },
  { name: 'Nantes', country: 'FR', lat: 47.2184, lon: -1.5536, weight: 3.2, lang: 'fr', postal: '440##' },
  { name: 'Amsterdam', country: 'NL', lat: 52.3676, lon: 4.9041, weight: 9, lang: 'nl', postal: '10## @@' },
  { name: 'Rotterdam', country: 'NL', lat: 51.9244, lon: 4.4777, weight: 6.5, lang: 'nl', postal: '30## @@' },
  { name: 'Utrecht', country: 'NL', lat: 52.0907, lon: 5.1214, weight: 3.6, lang: 'nl', postal: '35## @@' },
  { name: 'Den Haag', country: 'NL', lat: 52.0705, lon: 4.3007, weight: 5.5, lang: 'nl', postal: '25## @@' },
  { name: 'Eindhoven', country: 'NL', lat: 51.4416, lon: 5.4697, weight: 2.4, lang: 'nl', postal: '56## @@' },
  { name: 'Helsinki', country: 'FI', lat: 60.1699, lon: 24.9384, weight: 6.6, lang: 'fi', postal: '00###' },
  { name: 'Tampere', country: 'FI', lat: 61.4978, lon: 23.761, weight: 2.4, lang: 'fi', postal: '33###' },
  { name: 'Turku', country: 'FI', lat: 60.4518, lon: 22.2666, weight: 2, lang: 'fi', postal: '20###' },
  { name: 'Oulu', country: 'FI', lat: 65.0121, lon: 25.4651, weight: 2.1, lang: 'fi', postal: '90###' },
  { name: 'Wien', country: 'AT', lat: 48.2082, lon: 16.3738, weight: 19, lang: 'de', postal: '1###' },
  { name: 'Graz', country: 'AT', lat: 47.0707, lon: 15.4395, weight: 2.9, lang: 'de', postal: '80##' },
  { name: 'Linz', country: 'AT', lat: 48.3069, lon: 14.2858, weight: 2, lang: 'de', postal: '40##' },
  { name: 'Salzburg', country: 'AT', lat: 47.8095, lon: 13.055, weight: 1.5, lang: 'de', postal: '50##' },
  { name: 'Innsbruck', country: 'AT', lat: 47.2692, lon: 11.4041, weight: 1.3, lang: 'de', postal: '60##' },
  { name: 'Lisboa', country: 'PT', lat: 38.7223, lon: -9.1393, weight: 5.5, lang: 'pt', postal: '1###-###' },
  { name: 'Porto', country: 'PT', lat: 41.1579, lon: -8.6291, weight: 2.3, lang: 'pt', postal: '4###-###' },
  { name: 'Faro', country: 'PT', lat: 37.0194, lon: -7.9304, weight: 0.7, lang: 'pt', postal: '8###-###' },
  {
    name: 'Ponta Delgada',
    country: 'PT',
    lat: 37.7412,
    lon: -25.6756,
    weight: 0.7,
    lang: 'pt',
    postal: '95##-###',
    timeZone: 'Atlantic/Azores',
    vat: 16,
    region: 'PT-20',
    island: true,
  },
  { name: 'Madrid', country: 'ES', lat: 40.4168, lon: -3.7038, weight: 33, lang: 'es', postal: '280##' },
  { name: 'Barcelona', country: 'ES', lat: 41.3851, lon: 2.1734, weight: 16, lang: 'es', postal: '080##' },
  { name: 'Valencia', country: 'ES', lat: 39.4699, lon: -0.3763, weight: 8, lang: 'es', postal: '460##' },
  { name: 'Sevilla', country: 'ES', lat: 37.3891, lon: -5.9845, weight: 6.9, lang: 'es', postal: '410##' },
  { name: 'Bilbao', country: 'ES', lat: 43.263, lon: -2.935, weight: 3.5, lang: 'es', postal: '480##' },
  { name: 'Málaga', country: 'ES', lat: 36.7213, lon: -4.4214, weight: 5.8, lang: 'es', postal: '290##' },
  { name: 'Bruxelles', country: 'BE', lat: 50.8503, lon: 4.3517, weight: 12, lang: 'fr', postal: '1###' },
  { name: 'Antwerpen', country: 'BE', lat: 51.2194, lon: 4.4025, weight: 5.3, lang: 'nl', postal: '20##' },
  { name: 'Gent', country: 'BE', lat: 51.0543, lon: 3.7174, weight: 2.6, lang: 'nl', postal: '90##' },
  { name: 'Milano', country: 'IT', lat: 45.4642, lon: 9.19, weight: 14, lang: 'it', postal: '201##' },
  { name: 'Roma', country: 'IT', lat: 41.9028, lon: 12.4964, weight: 28, lang: 'it', postal: '001##' },
  { name: 'Torino', country: 'IT', lat: 45.0703, lon: 7.6869, weight: 8.5, lang: 'it', postal: '101##' },
  { name: 'Bologna', country: 'IT', lat: 44.4949, lon: 11.3426, weight: 3.9, lang: 'it', postal: '401##' },
];

/** How an operator prices: by energy, by time with a start fee, or with a cheaper night rate. */
export type PricingStyle = 'ENERGY' | 'TIME' | 'TIME_OF_DAY';

export interface Operator {
  country_code: string;
  party_id: string;
  name: string;
  website: string;
  /** Countries where it runs stations in cities (weight per country). */
  countries: Record<string, number>;
  /** Runs the high-power chargers along motorways. */
  motorway?: boolean;
  style: PricingStyle;
  /** Added to the base prices (EUR incl. VAT per kWh), to make operators differ. */
  premium: number;
}

export const OPERATORS: Operator[] = [
  {
    country_code: 'DE',
    party_id: 'VLT',
    name: 'Voltaro',
    website: 'https://voltaro.example',
    countries: { DE: 5, AT: 2, NL: 1 },
    style: 'ENERGY',
    premium: 0,
  },
  {
    country_code: 'DE',
    party_id: 'LPN',
    name: 'Ladepunkt Nord',
    website: 'https://ladepunkt-nord.example',
    countries: { DE: 3 },
    style: 'TIME_OF_DAY',
    premium: 0.02,
  },
  {
    country_code: 'FI',
    party_id: 'SVO',
    name: 'Sähkövirta Oy',
    website: 'https://sahkovirta.example',
    countries: { FI: 5 },
    style: 'ENERGY',
    premium: -0.04,
  },
  {
    country_code: 'FR',
    party_id: 'BRX',
    name: 'Borne Express',
    website: 'https://borne-express.example',
    countries: { FR: 5, BE: 2 },
    style: 'TIME',
    premium: 0,
  },
  {
    country_code: 'NL',
    party_id: 'STK',
    name: 'Stekkerwerk',
    website: 'https://stekkerwerk.example',
    countries: { NL: 5, BE: 2 },
    style: 'ENERGY',
    premium: 0.03,
  },
  {
    country_code: 'ES',
    party_id: 'RCS',
    name: 'Recarga Sol',
    website: 'https://recargasol.example',
    countries: { ES: 5, PT: 1 },
    style: 'TIME_OF_DAY',
    premium: -0.02,
  },
  {
    country_code: 'PT',
    party_id: 'LGV',
    name: 'Ligação Verde',
    website: 'https://ligacao-verde.example',
    countries: { PT: 4 },
    style: 'ENERGY',
    premium: 0,
  },
  {
    country_code: 'AT',
    party_id: 'ALP',
    name: 'Alpenstrom Laden',
    website: 'https://alpenstrom.example',
    countries: { AT: 4, IT: 1 },
    style: 'TIME_OF_DAY',
    premium: 0.04,
  },
  {
    country_code: 'IT',
    party_id: 'CRV',
    name: 'Corrente Viva',
    website: 'https://correnteviva.example',
    countries: { IT: 5 },
    style: 'TIME',
    premium: 0.01,
  },
  {
    country_code: 'NL',
    party_id: 'HWY',
    name: 'Highway Volt',
    website: 'https://highwayvolt.example',
    countries: {},
    motorway: true,
    style: 'ENERGY',
    premium: 0.08,
  },
];

export const STREETS: Record<Lang, string[]> = {
  de: [
    'Hauptstraße',
    'Bahnhofstraße',
    'Gartenstraße',
    'Schillerstraße',
    'Goethestraße',
    'Lindenallee',
    'Marktplatz',
    'Industriestraße',
    'Am Hafen',
    'Parkstraße',
    'Mühlenweg',
    'Friedrichstraße',
    'Ringstraße',
    'Waldweg',
  ],
  fr: [
    'rue de la République',
    'avenue Jean Jaurès',
    'rue Victor Hugo',
    'boulevard Pasteur',
    'rue de la Gare',
    'place du Marché',
    'avenue de la Liberté',
    'rue des Lilas',
    'rue du Moulin',
    'allée des Tilleuls',
    'quai des Marchands',
  ],
  nl: [
    'Stationsweg',
    'Kerkstraat',
    'Dorpsstraat',
    'Molenweg',
    'Havenkade',
    'Marktplein',
    'Julianalaan',
    'Beatrixstraat',
    'Parallelweg',
    'Industrieweg',
    'Schoolstraat',
  ],
  fi: [
    'Mannerheimintie',
    'Asemakatu',
    'Satamakatu',
    'Kauppakatu',
    'Puistokatu',
    'Koulukatu',
    'Rantatie',
    'Teollisuuskatu',
    'Hämeenkatu',
    'Kirkkokatu',
  ],
  pt: [
    'Rua Augusta',
    'Avenida da Liberdade',
    'Rua do Comércio',
    'Rua da Estação',
    'Praça da República',
    'Avenida Central',
    'Rua das Flores',
    'Rua do Porto',
    'Rua de Santa Catarina',
  ],
  es: [
    'Calle Mayor',
    'Avenida de la Constitución',
    'Calle Real',
    'Gran Vía',
    'Calle de la Estación',
    'Plaza de España',
    'Calle del Sol',
    'Avenida del Puerto',
    'Calle de Alcalá',
  ],
  it: [
    'Via Roma',
    'Corso Italia',
    'Via Garibaldi',
    'Via Mazzini',
    'Piazza del Duomo',
    'Via della Stazione',
    'Viale Europa',
    'Via Dante',
    'Via Verdi',
  ],
};

export interface PlaceWords {
  supermarket: string;
  mall: string;
  hotel: string;
  garage: string;
  fuel: string;
  motorway: string;
  hub: string;
  station: string;
  directions: [string, string, string, string];
}

export const PLACE_WORDS: Record<Lang, PlaceWords> = {
  de: {
    supermarket: 'Supermarkt',
    mall: 'Einkaufszentrum',
    hotel: 'Hotel',
    garage: 'Parkhaus',
    fuel: 'Tankstelle',
    motorway: 'Rastanlage',
    hub: 'Schnellladepark',
    station: 'Bahnhof',
    directions: ['Nord', 'Süd', 'Ost', 'West'],
  },
  fr: {
    supermarket: 'Supermarché',
    mall: 'Centre commercial',
    hotel: 'Hôtel',
    garage: 'Parking',
    fuel: 'Station-service',
    motorway: 'Aire de',
    hub: 'Hub de recharge',
    station: 'Gare',
    directions: ['Nord', 'Sud', 'Est', 'Ouest'],
  },
  nl: {
    supermarket: 'Supermarkt',
    mall: 'Winkelcentrum',
    hotel: 'Hotel',
    garage: 'Parkeergarage',
    fuel: 'Tankstation',
    motorway: 'Verzorgingsplaats',
    hub: 'Snellaadplein',
    station: 'Station',
    directions: ['Noord', 'Zuid', 'Oost', 'West'],
  },
  fi: {
    supermarket: 'Market',
    mall: 'Kauppakeskus',
    hotel: 'Hotelli',
    garage: 'Pysäköintitalo',
    fuel: 'Huoltoasema',
    motorway: 'Levähdysalue',
    hub: 'Pikalatausasema',
    station: 'Asema',
    directions: ['Pohjoinen', 'Etelä', 'Itä', 'Länsi'],
  },
  pt: {
    supermarket: 'Supermercado',
    mall: 'Centro Comercial',
    hotel: 'Hotel',
    garage: 'Parque',
    fuel: 'Posto de Abastecimento',
    motorway: 'Área de Serviço',
    hub: 'Hub de Carregamento',
    station: 'Estação',
    directions: ['Norte', 'Sul', 'Este', 'Oeste'],
  },
  es: {
    supermarket: 'Supermercado',
    mall: 'Centro Comercial',
    hotel: 'Hotel',
    garage: 'Aparcamiento',
    fuel: 'Gasolinera',
    motorway: 'Área de Servicio',
    hub: 'Electrolinera',
    station: 'Estación',
    directions: ['Norte', 'Sur', 'Este', 'Oeste'],
  },
  it: {
    supermarket: 'Supermercato',
    mall: 'Centro Commerciale',
    hotel: 'Hotel',
    garage: 'Parcheggio',
    fuel: 'Stazione di servizio',
    motorway: 'Area di Servizio',
    hub: 'Hub di ricarica',
    station: 'Stazione',
    directions: ['Nord', 'Sud', 'Est', 'Ovest'],
  },
};
