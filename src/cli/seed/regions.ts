/**
 * The twelve probation regions of England and Wales with places for their delivery units and
 * the partner bodies each region works with. Names are real places; the data is synthetic.
 */
export interface RegionSeed {
  code: string
  name: string
  crnLetter: string
  /** Relative size: London holds the most people on probation. */
  weight: number
  police: string
  prison: { code: string; name: string }
  places: string[]
  /** Postcode areas (the letters of the outward code) in the region. */
  postcodeAreas: string[]
}

export const REGIONS: RegionSeed[] = [
  {
    code: 'GMR',
    postcodeAreas: ['M', 'BL', 'WN', 'SK', 'OL'],
    name: 'Greater Manchester',
    crnLetter: 'M',
    weight: 9,
    police: 'Greater Manchester Police',
    prison: { code: 'MRI', name: 'HMP Manchester' },
    places: ['Manchester', 'Salford', 'Bolton', 'Wigan', 'Stockport', 'Oldham', 'Bury', 'Trafford'],
  },
  {
    code: 'LDN',
    postcodeAreas: ['N', 'E', 'SE', 'SW', 'W', 'NW'],
    name: 'London',
    crnLetter: 'L',
    weight: 16,
    police: 'Metropolitan Police Service',
    prison: { code: 'PVI', name: 'HMP Pentonville' },
    places: [
      'Camden and Islington',
      'Hackney',
      'Lambeth',
      'Southwark',
      'Croydon',
      'Ealing',
      'Newham',
      'Barnet',
    ],
  },
  {
    code: 'NE',
    postcodeAreas: ['NE', 'SR', 'DH', 'TS', 'DL'],
    name: 'North East',
    crnLetter: 'N',
    weight: 6,
    police: 'Northumbria Police',
    prison: { code: 'DMI', name: 'HMP Durham' },
    places: [
      'Newcastle',
      'Sunderland',
      'Gateshead',
      'Durham',
      'Middlesbrough',
      'Darlington',
      'Hartlepool',
      'Northumberland',
    ],
  },
  {
    code: 'NW',
    postcodeAreas: ['L', 'PR', 'FY', 'BB', 'CH', 'CA', 'WA'],
    name: 'North West',
    crnLetter: 'W',
    weight: 8,
    police: 'Lancashire Constabulary',
    prison: { code: 'LPI', name: 'HMP Liverpool' },
    places: ['Liverpool', 'Preston', 'Blackpool', 'Blackburn', 'Wirral', 'Sefton', 'Cumbria', 'Warrington'],
  },
  {
    code: 'YH',
    postcodeAreas: ['LS', 'BD', 'S', 'HU', 'WF', 'HD', 'DN', 'YO'],
    name: 'Yorkshire and the Humber',
    crnLetter: 'Y',
    weight: 9,
    police: 'West Yorkshire Police',
    prison: { code: 'LEI', name: 'HMP Leeds' },
    places: ['Leeds', 'Bradford', 'Sheffield', 'Hull', 'Wakefield', 'Kirklees', 'Doncaster', 'York'],
  },
  {
    code: 'EM',
    postcodeAreas: ['NG', 'DE', 'LE', 'LN', 'NN'],
    name: 'East Midlands',
    crnLetter: 'E',
    weight: 8,
    police: 'Nottinghamshire Police',
    prison: { code: 'NMI', name: 'HMP Nottingham' },
    places: [
      'Nottingham',
      'Derby',
      'Leicester',
      'Lincoln',
      'Northampton',
      'Mansfield',
      'Chesterfield',
      'Boston',
    ],
  },
  {
    code: 'WM',
    postcodeAreas: ['B', 'CV', 'WV', 'WS', 'DY', 'ST', 'WR'],
    name: 'West Midlands',
    crnLetter: 'B',
    weight: 9,
    police: 'West Midlands Police',
    prison: { code: 'BMI', name: 'HMP Birmingham' },
    places: [
      'Birmingham',
      'Coventry',
      'Wolverhampton',
      'Walsall',
      'Dudley',
      'Sandwell',
      'Stoke-on-Trent',
      'Worcester',
    ],
  },
  {
    code: 'EE',
    postcodeAreas: ['CM', 'NR', 'IP', 'PE', 'LU', 'CB', 'SS', 'CO'],
    name: 'East of England',
    crnLetter: 'C',
    weight: 8,
    police: 'Essex Police',
    prison: { code: 'CDI', name: 'HMP Chelmsford' },
    places: [
      'Chelmsford',
      'Norwich',
      'Ipswich',
      'Peterborough',
      'Luton',
      'Cambridge',
      'Southend',
      'Colchester',
    ],
  },
  {
    code: 'WLS',
    postcodeAreas: ['CF', 'SA', 'NP', 'LL'],
    name: 'Wales',
    crnLetter: 'D',
    weight: 6,
    police: 'South Wales Police',
    prison: { code: 'CFI', name: 'HMP Cardiff' },
    places: [
      'Cardiff',
      'Swansea',
      'Newport',
      'Wrexham',
      'Bridgend',
      'Merthyr Tydfil',
      'Gwynedd',
      'Pembrokeshire',
    ],
  },
  {
    code: 'SW',
    postcodeAreas: ['BS', 'PL', 'EX', 'SN', 'GL', 'BH', 'TA', 'TR'],
    name: 'South West',
    crnLetter: 'S',
    weight: 7,
    police: 'Avon and Somerset Police',
    prison: { code: 'BLI', name: 'HMP Bristol' },
    places: ['Bristol', 'Plymouth', 'Exeter', 'Swindon', 'Gloucester', 'Bournemouth', 'Taunton', 'Truro'],
  },
  {
    code: 'SC',
    postcodeAreas: ['RG', 'OX', 'SO', 'PO', 'MK', 'SL', 'HP'],
    name: 'South Central',
    crnLetter: 'T',
    weight: 7,
    police: 'Thames Valley Police',
    prison: { code: 'WII', name: 'HMP Winchester' },
    places: [
      'Reading',
      'Oxford',
      'Southampton',
      'Portsmouth',
      'Milton Keynes',
      'Slough',
      'Aylesbury',
      'Basingstoke',
    ],
  },
  {
    code: 'KSS',
    postcodeAreas: ['ME', 'CT', 'BN', 'RH', 'GU', 'TN'],
    name: 'Kent, Surrey and Sussex',
    crnLetter: 'K',
    weight: 7,
    police: 'Kent Police',
    prison: { code: 'EYI', name: 'HMP Elmley' },
    places: ['Maidstone', 'Canterbury', 'Medway', 'Brighton', 'Crawley', 'Guildford', 'Hastings', 'Thanet'],
  },
]

/** Cohorts every area uses; criteria become configurable data with the case management work. */
export const COHORTS = [
  {
    code: 'IOM-FIXED',
    name: 'IOM Fixed',
    description: 'Integrated Offender Management: fixed cohort of neighbourhood crime offenders',
  },
  {
    code: 'IOM-FLEX',
    name: 'IOM Flex',
    description: 'Integrated Offender Management: locally chosen priority offenders',
  },
  {
    code: 'IOM-FREE',
    name: 'IOM Free',
    description: 'Integrated Offender Management: free choice by local partnerships',
  },
  {
    code: 'PPO',
    name: 'Prolific and priority offenders',
    description: 'People whose offending causes the most harm to communities',
  },
  {
    code: 'SHORT-SENTENCE',
    name: 'Short custodial sentences',
    description: 'Released from custodial sentences of under 12 months',
  },
  {
    code: 'DA-PERPETRATOR',
    name: 'Domestic abuse perpetrators',
    description: 'Known perpetrators of domestic abuse',
  },
  {
    code: 'YOUTH-DIVERSION',
    name: 'Young adults (18 to 25)',
    description: 'Young adults in transition from youth justice',
  },
] as const

export type CohortCode = (typeof COHORTS)[number]['code']

/** OGRS3 offence categories with a typical offence and a relative frequency. */
export const OFFENCES = [
  { category: 'violence', offence: 'Assault occasioning actual bodily harm', weight: 22 },
  { category: 'robbery', offence: 'Robbery', weight: 4 },
  {
    category: 'public_order',
    offence: 'Using threatening, abusive or insulting words or behaviour',
    weight: 5,
  },
  { category: 'sexual_not_against_child', offence: 'Sexual assault on a female', weight: 3 },
  { category: 'sexual_against_child', offence: 'Sexual activity with a child', weight: 2 },
  { category: 'burglary_domestic', offence: 'Burglary in a dwelling', weight: 7 },
  { category: 'burglary_other', offence: 'Burglary in a building other than a dwelling', weight: 3 },
  { category: 'theft_non_motor', offence: 'Theft from a shop', weight: 14 },
  { category: 'handling_stolen_goods', offence: 'Handling stolen goods', weight: 2 },
  { category: 'fraud_forgery', offence: 'Fraud by false representation', weight: 4 },
  { category: 'absconding_bail', offence: 'Failing to surrender to bail', weight: 2 },
  { category: 'taking_and_driving_away', offence: 'Aggravated vehicle taking', weight: 2 },
  { category: 'theft_from_vehicles', offence: 'Theft from a motor vehicle', weight: 2 },
  { category: 'drink_driving', offence: 'Driving with excess alcohol', weight: 5 },
  { category: 'other_motoring', offence: 'Driving while disqualified', weight: 4 },
  { category: 'criminal_damage', offence: 'Criminal damage', weight: 5 },
  {
    category: 'drug_import_export_production',
    offence: 'Production of a controlled drug, class B',
    weight: 2,
  },
  {
    category: 'drug_possession_supply',
    offence: 'Possession with intent to supply a controlled drug, class A',
    weight: 7,
  },
  { category: 'other', offence: 'Breach of a restraining order', weight: 5 },
] as const
