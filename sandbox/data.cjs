// @ts-check
'use strict';
// Deterministic seeded data: partners, vessels, crew members, documents, consents.
// Same seed + same size + same "today" => same data. Dates are relative to the sandbox clock's today.

const crypto = require('node:crypto');
const { addDays } = require('./clock.cjs');
const { REQUIREMENTS, ROLE_CERTIFICATES, requirementKeysFor } = require('./compliance.cjs');

/** mulberry32: a small, fast, seeded PRNG (never Math.random). */
function createRng(seed) {
	let a = (Number(seed) >>> 0) ^ 0x9e3779b9;
	const next = () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const rng = {
		next,
		int: (min, max) => min + Math.floor(next() * (max - min + 1)),
		pick: (arr) => arr[Math.floor(next() * arr.length)],
		chance: (p) => next() < p,
		digits: (n) => {
			let s = '';
			while (n > 0) {
				const k = Math.min(n, 9);
				s += String(Math.floor(next() * 10 ** k)).padStart(k, '0');
				n -= k;
			}
			return s;
		},
		/** pick from [[value, weight], ...] */
		weighted: (pairs) => {
			let total = 0;
			for (const [, w] of pairs) total += w;
			let r = next() * total;
			for (const [v, w] of pairs) {
				if ((r -= w) < 0) return v;
			}
			return pairs[pairs.length - 1][0];
		},
	};
	return rng;
}

const SCOPES_ALL = [
	'crew:compliance:read',
	'crew:documents:download',
	'crew:documents:read',
	'crew:profile:full:read',
	'crew:profile:read',
	'crew:status:read',
	'vessels:fleet:read',
];
/** What a crew member consents to by accepting a place (identity needs an extra, explicit consent). */
const BASE_CONSENTS = SCOPES_ALL.filter(
	(s) => s !== 'crew:profile:full:read' && s !== 'vessels:fleet:read',
);

const NATIONALITIES = [
	{
		nationality: 'British',
		country: 'United Kingdom',
		language: 'English',
		cities: ['Southampton', 'Plymouth', 'Falmouth', 'Glasgow'],
		dial: '+44 7700 9',
		w: 22,
	},
	{
		nationality: 'South African',
		country: 'South Africa',
		language: 'English',
		cities: ['Cape Town', 'Durban'],
		dial: '+27 82 ',
		w: 12,
	},
	{
		nationality: 'Australian',
		country: 'Australia',
		language: 'English',
		cities: ['Sydney', 'Perth', 'Brisbane'],
		dial: '+61 412 ',
		w: 10,
	},
	{
		nationality: 'New Zealander',
		country: 'New Zealand',
		language: 'English',
		cities: ['Auckland', 'Wellington'],
		dial: '+64 21 ',
		w: 6,
	},
	{
		nationality: 'French',
		country: 'France',
		language: 'French',
		cities: ['Antibes', 'Marseille', 'Brest'],
		dial: '+33 6 ',
		w: 7,
	},
	{
		nationality: 'Italian',
		country: 'Italy',
		language: 'Italian',
		cities: ['Genoa', 'Viareggio', 'Naples'],
		dial: '+39 347 ',
		w: 6,
	},
	{
		nationality: 'Spanish',
		country: 'Spain',
		language: 'Spanish',
		cities: ['Palma', 'Barcelona'],
		dial: '+34 612 ',
		w: 6,
	},
	{
		nationality: 'Dutch',
		country: 'Netherlands',
		language: 'Dutch',
		cities: ['Rotterdam', 'Amsterdam'],
		dial: '+31 6 ',
		w: 4,
	},
	{
		nationality: 'Croatian',
		country: 'Croatia',
		language: 'Croatian',
		cities: ['Split', 'Rijeka'],
		dial: '+385 91 ',
		w: 4,
	},
	{
		nationality: 'Filipino',
		country: 'Philippines',
		language: 'Filipino',
		cities: ['Manila', 'Cebu'],
		dial: '+63 917 ',
		w: 6,
	},
	{
		nationality: 'American',
		country: 'United States',
		language: 'English',
		cities: ['Fort Lauderdale', 'Newport'],
		dial: '+1 954 ',
		w: 7,
	},
	{
		nationality: 'Irish',
		country: 'Ireland',
		language: 'English',
		cities: ['Cork', 'Dublin'],
		dial: '+353 87 ',
		w: 4,
	},
	{
		nationality: 'Polish',
		country: 'Poland',
		language: 'Polish',
		cities: ['Gdansk', 'Szczecin'],
		dial: '+48 501 ',
		w: 3,
	},
	{
		nationality: 'Swedish',
		country: 'Sweden',
		language: 'Swedish',
		cities: ['Gothenburg', 'Stockholm'],
		dial: '+46 70 ',
		w: 3,
	},
];
const NAT_WEIGHTS = NATIONALITIES.map((n) => [n, n.w]);
const FIRST = [
	'Alex',
	'Sam',
	'Jamie',
	'Charlotte',
	'Oliver',
	'Amelia',
	'Lucas',
	'Sofia',
	'Liam',
	'Emma',
	'Noah',
	'Chloe',
	'Tom',
	'Hannah',
	'Marco',
	'Giulia',
	'Pierre',
	'Camille',
	'Diego',
	'Lucia',
	'Jan',
	'Eva',
	'Ivan',
	'Ana',
	'Paolo',
	'Maria',
	'Ben',
	'Grace',
	'Finn',
	'Zoe',
	'Kai',
	'Mia',
	'Jack',
	'Ella',
	'Rory',
	'Isla',
	'Luka',
	'Nina',
	'Erik',
	'Freya',
];
const LAST = [
	'Crew',
	'Harper',
	'Walsh',
	'Bennett',
	'Morgan',
	'Rossi',
	'Dubois',
	'Garcia',
	'de Vries',
	'Horvat',
	'Santos',
	'Taylor',
	'Murphy',
	'Kowalski',
	'Lindqvist',
	'Fraser',
	'Nkosi',
	'Van der Merwe',
	'Clarke',
	'Russo',
	'Moreau',
	'Lopez',
	'Jansen',
	'Novak',
	'Reyes',
	'Brooks',
	'Kelly',
	'Nowak',
	'Berg',
	'Campbell',
	'Hughes',
	'Marsh',
	'Quinn',
	'Sinclair',
	'Drake',
	'Whitfield',
	'Okafor',
	'Petrov',
	'Ward',
	'Young',
];
const VESSEL_NAMES = [
	'Example',
	'Aurora',
	'Serenity',
	'Blue Horizon',
	'Calypso',
	'Northern Star',
	'Solaris',
	'Valkyrie',
	'Odyssey',
	'Silver Tide',
	'Lady Marina',
	'Halcyon',
	'Seahawk',
	'Artemis',
	'Tranquility',
	'Kismet',
	'Ocean Pearl',
	'Meridian',
	'Zephyr',
	'Saltwater',
];
const FLAGS = [
	['Cayman Islands', '319'],
	['Marshall Islands', '538'],
	['Malta', '248'],
	['British Virgin Islands', '378'],
	['Isle of Man', '235'],
	['Bermuda', '310'],
];
/** Per-vessel crew template (role order on a vessel). */
const VESSEL_TEMPLATE = [
	'Captain',
	'Chief Officer',
	'Chief Engineer',
	'Chief Stewardess',
	'Bosun',
	'Deckhand',
	'Stewardess',
	'Chef',
	'Second Engineer',
	'Deckhand',
	'Second Officer',
	'Stewardess',
	'ETO',
	'Deckhand',
];
const DEPT_SKILLS = {
	deck: [
		'Tender driving',
		'Watchkeeping',
		'Navigation',
		'Varnishing',
		'Jet ski instruction',
		'Dive master',
		'Line handling',
	],
	engine: ['MEOL', 'AEC', 'Hydraulics', 'Electrical fault-finding', 'Watermakers', 'HVAC'],
	interior: [
		'Silver service',
		'Wine service',
		'Housekeeping',
		'Floristry',
		'Laundry',
		'Guest relations',
	],
	galley: ['Provisioning', 'Mediterranean cuisine', 'Pastry', 'Dietary requirements', 'Crew mess'],
};
const ROLE_DEPT = {
	Captain: 'deck',
	'Chief Officer': 'deck',
	'Second Officer': 'deck',
	Bosun: 'deck',
	Deckhand: 'deck',
	'Chief Engineer': 'engine',
	'Second Engineer': 'engine',
	ETO: 'engine',
	'Chief Stewardess': 'interior',
	Stewardess: 'interior',
	Chef: 'galley',
};
const TRAINING_SCHOOLS = [
	'Warsash Maritime School',
	'Bluewater Training',
	'UKSA',
	'Maritime & Coastguard Agency',
];

/**
 * Hand-made crew members at the start of the main partner's fleet, with known compliance/consent states.
 * docs: { requirementKey: state } with state 'valid' | 'exp30' | 'exp90' | 'expired' | 'pending' | 'missing' | 'rejected' | <days until expiry>
 */
const FIXTURES = [
	{
		key: 'compliant',
		role: 'Captain',
		vessel: 0,
		identity: true,
		bg: 'completed',
		verification: 'verified',
	},
	{
		key: 'atRisk',
		role: 'Chief Engineer',
		vessel: 0,
		docs: { eng1: 54 },
		bg: 'completed',
		verification: 'verified',
	},
	{
		key: 'expiring30',
		role: 'Stewardess',
		vessel: 0,
		docs: { food_hygiene: 12 },
		verification: 'verified',
		bg: 'completed',
	},
	{
		key: 'expired',
		role: 'Chief Officer',
		vessel: 0,
		docs: { advanced_firefighting: 'expired' },
		bg: 'in-progress',
		verification: 'verified',
	},
	{
		key: 'missing',
		role: 'Deckhand',
		vessel: 0,
		docs: { eng1: 'missing' },
		bg: 'completed',
		verification: 'verified',
	},
	{
		key: 'pending',
		role: 'Stewardess',
		vessel: 1,
		docs: { stcw_efa: 'pending' },
		bg: 'awaiting',
		verification: 'pending',
	},
	{
		key: 'rejected',
		role: 'Bosun',
		vessel: 1,
		docs: { pdsd: 'rejected' },
		bg: 'completed',
		verification: 'verified',
	},
	{
		key: 'noRole',
		role: null,
		rank: 'Deckhand',
		vessel: 1,
		bg: 'completed',
		verification: 'verified',
	},
	{
		key: 'noPhoto',
		role: 'Chef',
		vessel: 1,
		photo: false,
		bg: 'completed',
		verification: 'verified',
	},
	{
		key: 'noStatusConsent',
		role: 'Deckhand',
		vessel: 1,
		withhold: ['crew:status:read'],
		bg: 'completed',
		verification: 'verified',
	},
	{
		key: 'noDocumentsConsent',
		role: 'Second Engineer',
		vessel: 2,
		withhold: ['crew:documents:read', 'crew:documents:download'],
		bg: 'completed',
		verification: 'verified',
	},
	{
		key: 'noComplianceConsent',
		role: 'Deckhand',
		vessel: 2,
		withhold: ['crew:compliance:read'],
		bg: 'completed',
		verification: 'verified',
	},
	{
		key: 'noBackgroundCheck',
		role: 'Second Officer',
		vessel: 2,
		bg: null,
		verification: 'verified',
	},
	{
		key: 'multiVessel',
		role: 'Chief Engineer',
		vessel: 2,
		also: { vessel: 3, role: 'Second Engineer' },
		docs: { coc_y1: 'missing' },
		bg: 'completed',
		verification: 'verified',
	},
	{
		key: 'superseded',
		role: 'ETO',
		vessel: 3,
		superseded: ['stcw_pst'],
		bg: 'declined',
		verification: 'verified',
	},
];

function partnerKey(partnerId, mode) {
	return (
		`cpk_${mode}_` +
		crypto
			.createHash('sha256')
			.update(`crewpass-sandbox:${partnerId}:${mode}`)
			.digest('hex')
			.slice(0, 24)
	);
}
function webhookSecretFor(partnerId) {
	return (
		'whsec_' +
		crypto
			.createHash('sha256')
			.update(`crewpass-sandbox:webhook:${partnerId}`)
			.digest('hex')
			.slice(0, 32)
	);
}

const PARTNER_SPECS = [
	{
		partner_id: 'prt_harbourline',
		display_name: 'Harbourline Yacht Management',
		subscription_plan: 'management',
		api_enabled: true,
		scopes: SCOPES_ALL,
		main: true,
	},
	{
		partner_id: 'prt_meridian',
		display_name: 'Meridian Superyacht Services',
		subscription_plan: 'management',
		api_enabled: true,
		scopes: SCOPES_ALL,
		vessels: 2,
		crew: 10,
	},
	{
		partner_id: 'prt_solent',
		display_name: 'Solent Crew Agency',
		subscription_plan: 'crew_agency',
		api_enabled: true,
		scopes: ['crew:profile:read', 'crew:status:read', 'vessels:fleet:read'],
		vessels: 1,
		crew: 5,
	},
	{
		partner_id: 'prt_dormant',
		display_name: 'Dormant Marine Ltd',
		subscription_plan: 'starter',
		api_enabled: false,
		scopes: [],
		vessels: 1,
		crew: 2,
	},
];

/**
 * Build the whole data set.
 * @param {{seed?: number, crew?: number, vessels?: number, today: string}} opts
 */
/**
 * The in-memory data of one sandbox. Entities are plain objects (typed loosely: the views and
 * routes pick the fields the contract names).
 * @typedef {object} Store
 * @property {number} seed
 * @property {string} today
 * @property {Map<string, any>} partners
 * @property {Map<string, { partner: any, mode: 'live' | 'test' }>} keyIndex
 * @property {Map<string, any>} vessels
 * @property {Map<string, any>} vesselsByPartner vessels (array) by partner
 * @property {Map<string, any>} crew
 * @property {Map<string, any>} crewByEmail
 * @property {Map<string, any>} rows arrays of rows, one per (crew member, vessel), by partner
 * @property {Record<string, string>} fixtures
 * @property {{ crew: number, doc: number, vessel: number }} counters
 */

/**
 * @param {{ seed?: number, crew?: number, vessels?: number, today: string }} opts
 * @returns {Store}
 */
function generateStore(opts) {
	const seed = opts.seed === undefined ? 1 : Number(opts.seed);
	const mainCrew = opts.crew === undefined ? 40 : Math.max(0, Math.floor(Number(opts.crew)));
	const today = opts.today;
	const rng = createRng(seed);
	/** @type {Store} */
	const store = {
		seed,
		today,
		partners: new Map(),
		keyIndex: new Map(),
		vessels: new Map(),
		vesselsByPartner: new Map(),
		crew: new Map(),
		crewByEmail: new Map(),
		rows: new Map(),
		fixtures: {},
		counters: { crew: 0, doc: 0, vessel: 0 },
	};
	const usedEmails = new Set();

	for (const spec of PARTNER_SPECS) {
		const partner = {
			partner_id: spec.partner_id,
			display_name: spec.display_name,
			partner_type: 'customer',
			status: 'active',
			subscription_plan: spec.subscription_plan,
			api_enabled: spec.api_enabled,
			granted_scopes: [...spec.scopes].sort(),
			// Registered at onboarding for webhooks; not listed by partners/me (see contract notes).
			webhook_scopes: spec.api_enabled ? [...spec.scopes, 'crew:status:subscribe'] : [],
			keys: {
				live: partnerKey(spec.partner_id, 'live'),
				test: partnerKey(spec.partner_id, 'test'),
			},
			webhook: { url: null, secret: webhookSecretFor(spec.partner_id), events: null },
			main: Boolean(spec.main),
		};
		store.partners.set(partner.partner_id, partner);
		store.keyIndex.set(partner.keys.live, { partner, mode: 'live' });
		store.keyIndex.set(partner.keys.test, { partner, mode: 'test' });

		const crewCount = spec.main ? mainCrew : Number(spec.crew);
		const vesselCount = spec.main
			? opts.vessels || (crewCount <= 60 ? 4 : Math.min(1000, Math.ceil(crewCount / 14)))
			: Number(spec.vessels);
		const vessels = [];
		for (let v = 0; v < vesselCount; v++) vessels.push(makeVessel(store, rng, partner.partner_id));
		store.vesselsByPartner.set(partner.partner_id, vessels);
		const rows = [];
		store.rows.set(partner.partner_id, rows);

		for (let i = 0; i < crewCount; i++) {
			const fx = spec.main && i < FIXTURES.length ? FIXTURES[i] : null;
			let placements;
			if (fx) {
				placements = [{ vessel: vessels[fx.vessel % vessels.length], role: fx.role }];
				if (fx.also)
					placements.push({ vessel: vessels[fx.also.vessel % vessels.length], role: fx.also.role });
			} else {
				const vessel = vessels[i % vessels.length];
				const role = rng.chance(0.015)
					? null
					: VESSEL_TEMPLATE[Math.floor(i / vessels.length) % VESSEL_TEMPLATE.length];
				placements = [{ vessel, role }];
			}
			const crew = makeCrew(store, rng, partner, placements, fx, usedEmails, today);
			for (const p of crew.placements)
				rows.push({ crew, vessel: store.vessels.get(p.vessel_id), role: p.role });
			if (fx) store.fixtures[fx.key] = crew.crew_unique_id;
		}
		if (!spec.main && rows.length && !store.fixtures[spec.partner_id])
			store.fixtures[spec.partner_id] = rows[0].crew.crew_unique_id;
	}
	store.fixtures.otherPartner = store.fixtures.prt_meridian;
	store.fixtures.reducedPlanCrew = store.fixtures.prt_solent;
	store.fixtures.noApiCrew = store.fixtures.prt_dormant;
	delete store.fixtures.prt_meridian;
	delete store.fixtures.prt_solent;
	delete store.fixtures.prt_dormant;
	return store;
}

function makeVessel(store, rng, partnerId) {
	const n = store.counters.vessel++;
	const base = VESSEL_NAMES[n % VESSEL_NAMES.length];
	const cycle = Math.floor(n / VESSEL_NAMES.length);
	const [flag, mid] = rng.pick(FLAGS);
	const type = rng.chance(0.8) ? 'M/Y' : 'S/Y';
	const vessel = {
		vessel_id:
			'ves_' + crypto.createHash('sha256').update(`v${store.seed}:${n}`).digest('hex').slice(0, 10),
		vessel_name: `${type} ${base}${cycle ? ' ' + (cycle + 1) : ''}`,
		imo: '9' + String(700000 + ((n * 7919 + rng.int(0, 999)) % 300000)).padStart(6, '0'),
		mmsi: mid + rng.digits(6),
		flag_state: flag,
		vessel_type: type,
		partner_id: partnerId,
	};
	store.vessels.set(vessel.vessel_id, vessel);
	return vessel;
}

function docState(rng) {
	return rng.weighted([
		['valid', 930],
		['exp30', 15],
		['exp90', 20],
		['expired', 12],
		['pending', 8],
		['missing', 10],
		['rejected', 5],
	]);
}

const KINDS_BY_ROLE = new Map();
/** Document kinds a crew member in this role holds (ENG1 + STCW for anyone). */
function kindsFor(role) {
	let k = KINDS_BY_ROLE.get(role);
	if (!k) {
		k = [
			...new Set([
				'eng1',
				'stcw_pst',
				'stcw_fpff',
				'stcw_efa',
				'stcw_pssr',
				...requirementKeysFor(role),
			]),
		];
		KINDS_BY_ROLE.set(role, k);
	}
	return k;
}

const LAZY_FIELDS = ['languages', 'skills', 'years_experience', 'bio', 'phone', 'identity'];

/** A crew member: core fields eager; profile details (LAZY_FIELDS) generated on first access. */
class CrewMember {
	constructor(fields) {
		Object.assign(this, fields);
	}
}
for (const f of LAZY_FIELDS) {
	Object.defineProperty(CrewMember.prototype, f, {
		get() {
			return crewDetails(this)[f];
		},
		set(v) {
			crewDetails(this)[f] = v;
		},
	});
}

for (const f of ['docsByKind', 'superseded']) {
	Object.defineProperty(CrewMember.prototype, f, {
		get() {
			return crewDocuments(this)[f];
		},
		set(v) {
			crewDocuments(this)[f] = v;
		},
	});
}

/** Documents: one per requirement of every role held (plus ENG1/STCW for anyone), generated on first access. */
function crewDocuments(crew) {
	if (crew._docs) return crew._docs;
	const { seed, today, kinds, fx, n, store } = crew._lazy;
	const rng = createRng((seed ^ 0x0d0c5eed) >>> 0);
	/** @type {{ docsByKind: Map<string, any>, superseded: any[] }} */
	const out = { docsByKind: new Map(), superseded: [] };
	crew._docs = out;
	const prefix = 'doc_' + String(n).padStart(5, '0');
	kinds.forEach((kind, i) => {
		const state = fx
			? fx.docs && fx.docs[kind] !== undefined
				? fx.docs[kind]
				: 'valid'
			: docState(rng);
		if (state === 'missing') return;
		if (fx && fx.superseded && fx.superseded.includes(kind)) {
			const old = makeDocument(
				store,
				rng,
				crew,
				kind,
				'expired',
				today,
				`${prefix}${String(i + 50).padStart(2, '0')}`,
			);
			old.superseded = true;
			out.superseded.push(old);
		}
		out.docsByKind.set(
			kind,
			makeDocument(store, rng, crew, kind, state, today, `${prefix}${String(i).padStart(2, '0')}`),
		);
	});
	return out;
}

function crewDetails(crew) {
	if (crew._details) return crew._details;
	const { seed, nat, rank, today } = crew._lazy;
	const rng = createRng(seed);
	const dept = ROLE_DEPT[rank] || 'deck';
	const years = rng.int(1, rank.startsWith('C') ? 25 : 12);
	const pool = DEPT_SKILLS[dept];
	const start = rng.int(0, pool.length - 1);
	const skills = [0, 1, 2].map((s) => pool[(start + s) % pool.length]);
	const age = rng.int(21, 58);
	const d = {
		languages:
			nat.language === 'English'
				? [{ language: 'English', proficiency: 'Native' }]
				: [
						{ language: nat.language, proficiency: 'Native' },
						{ language: 'English', proficiency: rng.pick(['Fluent', 'Professional']) },
					],
		skills,
		years_experience: String(years),
		bio: `${rank} with ${years} year${years === 1 ? '' : 's'} in yachting, based in ${nat.cities[0]}.`,
		phone: nat.dial + rng.digits(6),
		identity: {
			date_of_birth: addDays(today, -(age * 365 + rng.int(0, 364))),
			address: {
				line1: `${rng.int(1, 220)} ${rng.pick(['Harbour', 'Quay', 'Marina', 'Station', 'Church'])} ${rng.pick(['Road', 'Street', 'Lane', 'Walk'])}`,
				city: rng.pick(nat.cities),
				country: nat.country,
				postcode: rng.digits(4) + ' ' + rng.digits(2),
			},
			passport: {
				nationality: nat.nationality,
				number: rng.digits(9),
				expiry: addDays(today, rng.int(200, 3400)),
			},
			visas: rng.chance(0.6)
				? [{ type: 'B1/B2', country: 'USA', expiry: addDays(today, rng.int(60, 3000)) }]
				: [],
			employment_history: /** @type {any[]} */ ([]),
		},
	};
	const histCount = rng.int(1, 3);
	let end = addDays(today, -rng.int(30, 200));
	for (let h = 0; h < histCount; h++) {
		const startAt = addDays(end, -rng.int(300, 900));
		d.identity.employment_history.push({
			vessel_name: `M/Y ${rng.pick(VESSEL_NAMES)}`,
			role: rank,
			started_at: startAt,
			ended_at: end,
			source: rng.chance(0.7) ? 'employer_confirmed' : 'self_reported',
		});
		end = addDays(startAt, -rng.int(20, 120));
	}
	crew._details = d;
	return d;
}

function makeCrew(store, rng, partner, placementSpecs, fx, usedEmails, today) {
	const n = ++store.counters.crew;
	const nat = rng.weighted(NAT_WEIGHTS);
	const first = rng.pick(FIRST);
	const last = rng.pick(LAST);
	let emailBase = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
	let email = `${emailBase}@crewmail.example`;
	for (let k = 2; usedEmails.has(email); k++) email = `${emailBase}${k}@crewmail.example`;
	usedEmails.add(email);
	const primaryRole = placementSpecs[0].role;
	const rank = primaryRole || (fx && fx.rank) || 'Deckhand';

	const consents = new Set(BASE_CONSENTS);
	let identity;
	if (fx) {
		for (const s of fx.withhold || []) consents.delete(s);
		identity = Boolean(fx.identity);
	} else {
		if (rng.chance(0.05)) consents.delete('crew:status:read');
		if (rng.chance(0.04)) {
			consents.delete('crew:documents:read');
			consents.delete('crew:documents:download');
		}
		if (rng.chance(0.04)) consents.delete('crew:compliance:read');
		identity = rng.chance(0.3);
	}
	if (identity) consents.add('crew:profile:full:read');

	const crew = /** @type {any} */ (
		new CrewMember({
			crew_unique_id: 'crew_' + String(n).padStart(5, '0'),
			partner_id: partner.partner_id,
			first_name: first,
			last_name: last,
			name: `${first} ${last}`,
			rank,
			nationality: nat.nationality,
			email,
			has_photo: fx ? fx.photo !== false : rng.chance(0.88),
			verification_status: fx
				? fx.verification
				: rng.weighted([
						['verified', 85],
						['pending', 10],
						['unverified', 5],
					]),
			background_check_status: fx
				? fx.bg
				: rng.weighted([
						['completed', 70],
						['in-progress', 8],
						['pending', 5],
						['awaiting', 5],
						['declined', 2],
						['expired', 3],
						[null, 7],
					]),
			consents,
			placements: placementSpecs.map((p) => ({ vessel_id: p.vessel.vessel_id, role: p.role })),
			updated_at: null,
			// Profile details are generated on first read, from the crew member's own seeded PRNG.
			_lazy: { seed: (Math.imul(store.seed + 1, 0x9e3779b1) ^ n) >>> 0, nat, rank, today },
			_details: null,
			_docs: null,
		})
	);

	// Documents: one per requirement of every role the crew member holds (plus STCW/ENG1 for anyone).
	let kinds = kindsFor(placementSpecs[0].role);
	if (placementSpecs.length > 1 || (fx && fx.key === 'multiVessel')) {
		const set = new Set(kinds);
		for (const p of placementSpecs) for (const k of requirementKeysFor(p.role)) set.add(k);
		if (fx && fx.key === 'multiVessel') set.add('coc_y3');
		kinds = [...set];
	}
	crew._lazy.kinds = kinds;
	crew._lazy.fx = fx;
	crew._lazy.n = n;
	crew._lazy.store = store;
	store.crew.set(crew.crew_unique_id, crew);
	store.crewByEmail.set(email, crew);
	return crew;
}

/** Create a document for a requirement kind in a given state. */
function makeDocument(store, rng, crew, kind, state, today, id) {
	const def = REQUIREMENTS[kind];
	const documentId = id || 'doc_u' + String(++store.counters.doc).padStart(6, '0');
	let expiry = null;
	let verification = 'verified';
	const expires = def.years !== null;
	if (typeof state === 'number') expiry = addDays(today, state);
	else if (state === 'exp30') expiry = expires ? addDays(today, rng.int(3, 28)) : null;
	else if (state === 'exp90') expiry = expires ? addDays(today, rng.int(35, 88)) : null;
	else if (state === 'expired') {
		expiry = addDays(today, -rng.int(5, 300));
		verification = 'expired';
	} else if (state === 'pending') {
		verification = 'pending';
		expiry = expires ? addDays(today, rng.int(400, 365 * def.years)) : null;
	} else if (state === 'rejected') {
		verification = 'rejected';
		expiry = expires ? addDays(today, rng.int(400, 365 * def.years)) : null;
	} else {
		expiry = expires ? addDays(today, rng.int(120, 365 * def.years)) : null;
	}
	const issue = expiry
		? addDays(expiry, -365 * (def.years || 5))
		: addDays(today, -rng.int(100, 3000));
	const issuer =
		def.source === 'stcw' && rng.chance(0.3)
			? rng.pick(TRAINING_SCHOOLS)
			: rng.chance(0.04)
				? null
				: def.issuer;
	const doc = {
		document_id: documentId,
		crew_unique_id: crew.crew_unique_id,
		kind,
		type: def.type,
		category: def.category,
		title: def.title,
		issuer,
		verification_status: verification,
		issue_date: issue,
		expiry_date: expiry,
		document_number: `${def.prefix}-${rng.digits(5)}`,
		file_name: `${def.file}.pdf`,
		content_type: 'application/pdf',
		superseded: false,
	};
	if (kind === 'eng1') doc.fit_category = rng.chance(0.9) ? 'Fit' : 'Fit with restrictions';
	return doc;
}

module.exports = {
	createRng,
	generateStore,
	makeCrew,
	makeVessel,
	makeDocument,
	partnerKey,
	webhookSecretFor,
	SCOPES_ALL,
	BASE_CONSENTS,
	FIXTURES,
	ROLE_CERTIFICATES,
};
