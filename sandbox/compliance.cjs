// @ts-check
'use strict';
// Role requirements and the compliance rules of the contract's "Check compliance" page.
//
// A requirement is one of: the ENG1 medical (source "medical"), the four STCW basic-safety
// modules (source "stcw"), or a role certificate (source "explicit").
// Requirement status, from the crew member's CURRENT document of that kind:
//   no document, or a rejected one            -> missing
//   verified/pending with an expiry in the past,
//   or verification_status "expired"          -> expired
//   pending                                   -> pending
//   verified, expiring within 90 days         -> expiring
//   verified otherwise                        -> met
// Overall: no role -> no_role; any missing/expired -> non_compliant;
//          any expiring or pending -> at_risk; else compliant.

const { daysBetween } = require('./clock.cjs');

const EXPIRING_WITHIN_DAYS = 90;
const MCA = 'Maritime & Coastguard Agency';

/** Requirement catalogue. `years`: validity (null = does not expire). */
const REQUIREMENTS = {
	eng1: {
		title: 'ENG1 Medical',
		source: 'medical',
		type: 'ENG1',
		category: 'Medical Certificate',
		issuer: MCA,
		prefix: 'E1',
		years: 2,
		file: 'ENG1_medical',
	},
	stcw_pst: {
		title: 'Personal Survival Techniques',
		source: 'stcw',
		code: 'A-VI/1-1',
		module: 'Personal Survival',
		type: 'STCW',
		category: 'STCW Modules',
		issuer: MCA,
		prefix: 'PST',
		years: 5,
		file: 'PST_certificate',
	},
	stcw_fpff: {
		title: 'Fire Prevention and Fire Fighting',
		source: 'stcw',
		code: 'A-VI/1-2',
		module: 'Fire Prevention & Fire Fighting',
		type: 'STCW',
		category: 'STCW Modules',
		issuer: MCA,
		prefix: 'FPFF',
		years: 5,
		file: 'FPFF_certificate',
	},
	stcw_efa: {
		title: 'Elementary First Aid',
		source: 'stcw',
		code: 'A-VI/1-3',
		module: 'Elementary First Aid',
		type: 'STCW',
		category: 'STCW Modules',
		issuer: MCA,
		prefix: 'EFA',
		years: null,
		file: 'EFA_certificate',
	},
	stcw_pssr: {
		title: 'Personal Safety and Social Responsibilities',
		source: 'stcw',
		code: 'A-VI/1-4',
		module: 'Personal Safety & Social Responsibilities',
		type: 'STCW',
		category: 'STCW Modules',
		issuer: MCA,
		prefix: 'PSSR',
		years: null,
		file: 'PSSR_certificate',
	},
	advanced_firefighting: {
		title: 'Advanced Fire Fighting',
		source: 'explicit',
		type: 'STCW',
		category: 'Training Certificate',
		issuer: MCA,
		prefix: 'AFF',
		years: 5,
		file: 'AFF_certificate',
	},
	medical_first_aid: {
		title: 'Proficiency in Medical First Aid',
		source: 'explicit',
		type: 'STCW',
		category: 'Training Certificate',
		issuer: MCA,
		prefix: 'MFA',
		years: 5,
		file: 'MFA_certificate',
	},
	medical_care: {
		title: 'Proficiency in Medical Care',
		source: 'explicit',
		type: 'STCW',
		category: 'Training Certificate',
		issuer: MCA,
		prefix: 'MC',
		years: 5,
		file: 'Medical_care_certificate',
	},
	pdsd: {
		title: 'Proficiency in Designated Security Duties',
		source: 'explicit',
		type: 'STCW',
		category: 'Training Certificate',
		issuer: MCA,
		prefix: 'PDSD',
		years: null,
		file: 'PDSD_certificate',
	},
	gmdss_goc: {
		title: 'GMDSS General Operator Certificate',
		source: 'explicit',
		type: 'Radio',
		category: 'Radio Certificate',
		issuer: 'Ofcom',
		prefix: 'GOC',
		years: 5,
		file: 'GMDSS_GOC',
	},
	coc_master: {
		title: 'Master (Yachts) 3000GT CoC',
		source: 'explicit',
		type: 'CoC',
		category: 'Certificate of Competency',
		issuer: MCA,
		prefix: 'COC',
		years: 5,
		file: 'Master_3000GT_CoC',
	},
	coc_chief_mate: {
		title: 'Chief Mate (Yachts) 3000GT CoC',
		source: 'explicit',
		type: 'CoC',
		category: 'Certificate of Competency',
		issuer: MCA,
		prefix: 'COC',
		years: 5,
		file: 'Chief_Mate_CoC',
	},
	coc_oow: {
		title: 'Officer of the Watch (Yachts) CoC',
		source: 'explicit',
		type: 'CoC',
		category: 'Certificate of Competency',
		issuer: MCA,
		prefix: 'COC',
		years: 5,
		file: 'OOW_CoC',
	},
	coc_y1: {
		title: 'Chief Engineer (Yachts) Y1 CoC',
		source: 'explicit',
		type: 'CoC',
		category: 'Certificate of Competency',
		issuer: MCA,
		prefix: 'COC',
		years: 5,
		file: 'Y1_CoC',
	},
	coc_y3: {
		title: 'Engineer (Yachts) Y3 CoC',
		source: 'explicit',
		type: 'CoC',
		category: 'Certificate of Competency',
		issuer: MCA,
		prefix: 'COC',
		years: 5,
		file: 'Y3_CoC',
	},
	eto_coc: {
		title: 'Electro-Technical Officer CoC',
		source: 'explicit',
		type: 'CoC',
		category: 'Certificate of Competency',
		issuer: MCA,
		prefix: 'ETO',
		years: 5,
		file: 'ETO_CoC',
	},
	aec: {
		title: 'Approved Engine Course (AEC 1)',
		source: 'explicit',
		type: 'Certificate',
		category: 'Engineering Certificate',
		issuer: MCA,
		prefix: 'AEC',
		years: null,
		file: 'AEC_certificate',
	},
	yachtmaster_offshore: {
		title: 'RYA Yachtmaster Offshore',
		source: 'explicit',
		type: 'Certificate',
		category: 'Deck Certificate',
		issuer: 'Royal Yachting Association',
		prefix: 'YMO',
		years: null,
		file: 'Yachtmaster_Offshore',
	},
	powerboat_l2: {
		title: 'RYA Powerboat Level 2',
		source: 'explicit',
		type: 'Certificate',
		category: 'Deck Certificate',
		issuer: 'Royal Yachting Association',
		prefix: 'PB2',
		years: null,
		file: 'Powerboat_L2',
	},
	food_hygiene: {
		title: 'Food Safety and Hygiene Level 2',
		source: 'explicit',
		type: 'Certificate',
		category: 'Hospitality Certificate',
		issuer: 'Highfield Qualifications',
		prefix: 'FSH',
		years: 3,
		file: 'Food_hygiene_L2',
	},
	ships_cook: {
		title: "Ship's Cook Certificate",
		source: 'explicit',
		type: 'Certificate',
		category: 'Hospitality Certificate',
		issuer: MCA,
		prefix: 'SCC',
		years: null,
		file: 'Ships_cook_certificate',
	},
};

const STCW_KEYS = ['stcw_pst', 'stcw_fpff', 'stcw_efa', 'stcw_pssr'];

/** Role certificates per role (source "explicit"); every role also needs ENG1 + the STCW modules. */
const ROLE_CERTIFICATES = {
	Captain: ['coc_master', 'gmdss_goc', 'advanced_firefighting', 'medical_care'],
	'Chief Officer': ['coc_chief_mate', 'gmdss_goc', 'advanced_firefighting', 'medical_first_aid'],
	'Second Officer': ['coc_oow', 'gmdss_goc', 'advanced_firefighting'],
	Bosun: ['yachtmaster_offshore', 'powerboat_l2', 'pdsd'],
	Deckhand: ['powerboat_l2', 'pdsd'],
	'Chief Engineer': ['coc_y1', 'aec', 'advanced_firefighting'],
	'Second Engineer': ['coc_y3', 'aec'],
	ETO: ['eto_coc', 'pdsd'],
	'Chief Stewardess': ['food_hygiene', 'medical_first_aid', 'pdsd'],
	Stewardess: ['food_hygiene', 'pdsd'],
	Chef: ['food_hygiene', 'ships_cook'],
};

const ROLES = Object.keys(ROLE_CERTIFICATES);

/** Requirement keys for a role, in response order: medical, role certificates, STCW. */
function requirementKeysFor(role) {
	if (!role) return [];
	const explicit = ROLE_CERTIFICATES[role];
	if (!explicit) throw new Error('unknown role: ' + role);
	return ['eng1', ...explicit, ...STCW_KEYS];
}

/** Effective verification status of a document on a given day (a verified document past expiry is expired). */
function effectiveVerificationStatus(doc, today) {
	if (doc.verification_status === 'verified' && doc.expiry_date && doc.expiry_date < today)
		return 'expired';
	return doc.verification_status;
}

/** Status of one requirement given the current document of that kind (or undefined). */
function requirementStatus(doc, today) {
	if (!doc || doc.verification_status === 'rejected') return { status: 'missing' };
	const days = doc.expiry_date ? daysBetween(today, doc.expiry_date) : null;
	if (doc.verification_status === 'expired' || (days !== null && days < 0))
		return { status: 'expired', days };
	if (doc.verification_status === 'pending') return { status: 'pending', days };
	if (days !== null && days <= EXPIRING_WITHIN_DAYS) return { status: 'expiring', days };
	return { status: 'met', days };
}

/**
 * The compliance snapshot for one crew member in one role.
 * @param {{crew_unique_id: string}} crew
 * @param {string|null} role
 * @param {Map<string, object>} currentByKind current documents keyed by requirement key
 * @param {string} today YYYY-MM-DD
 */
function evaluateCompliance(crew, role, currentByKind, today) {
	const keys = requirementKeysFor(role);
	const requirements = [];
	const counts = { met: 0, expiring: 0, expired: 0, missing: 0, pending: 0 };
	let nextExpiry = null;
	for (const key of keys) {
		const def = REQUIREMENTS[key];
		const doc = currentByKind.get(key);
		const { status, days } = requirementStatus(doc, today);
		counts[status]++;
		const item = { requirement_key: key, title: def.title, source: def.source, status };
		if (def.source === 'explicit' && doc && status !== 'missing')
			item.document_id = doc.document_id;
		if (doc && status !== 'missing' && doc.expiry_date) item.expiry_date = doc.expiry_date;
		if ((status === 'expiring' || status === 'expired') && days !== null)
			item.days_until_expiry = days;
		if (
			(status === 'met' || status === 'expiring' || status === 'pending') &&
			doc &&
			doc.expiry_date &&
			days !== null &&
			days !== undefined &&
			days >= 0
		) {
			if (nextExpiry === null || doc.expiry_date < nextExpiry) nextExpiry = doc.expiry_date;
		}
		requirements.push(item);
	}

	// STCW modules are reported even without a role (they are the crew member's own training).
	const modules = STCW_KEYS.map((key) => {
		const def = REQUIREMENTS[key];
		const doc = currentByKind.get(key);
		const { status } = requirementStatus(doc, today);
		return {
			code: def.code,
			name: def.module,
			status,
			expiry_date: doc && status !== 'missing' ? doc.expiry_date : null,
		};
	});
	const valid = modules.filter((m) => m.status === 'met' || m.status === 'expiring').length;
	const stcwPct = Math.round((valid / modules.length) * 1000) / 10;

	const medDoc = currentByKind.get('eng1');
	const med = requirementStatus(medDoc, today).status;
	const medical = {
		status: med === 'met' || med === 'expiring' ? 'valid' : med,
		expiry_date: medDoc && med !== 'missing' ? medDoc.expiry_date : null,
		fit_category: medDoc && med !== 'missing' ? medDoc.fit_category || 'Fit' : null,
	};

	let overall;
	if (!role) overall = 'no_role';
	else if (counts.missing > 0 || counts.expired > 0) overall = 'non_compliant';
	else if (counts.expiring > 0 || counts.pending > 0) overall = 'at_risk';
	else overall = 'compliant';

	return {
		crew_unique_id: crew.crew_unique_id,
		overall_status: overall,
		requirements_total: requirements.length,
		requirements_met: counts.met,
		requirements_expiring: counts.expiring,
		requirements_expired: counts.expired,
		requirements_missing: counts.missing,
		stcw_completion_percentage: stcwPct,
		next_expiry_date: nextExpiry,
		requirements,
		stcw: { completion_percentage: stcwPct, modules },
		medical,
	};
}

module.exports = {
	REQUIREMENTS,
	ROLE_CERTIFICATES,
	ROLES,
	STCW_KEYS,
	EXPIRING_WITHIN_DAYS,
	requirementKeysFor,
	requirementStatus,
	effectiveVerificationStatus,
	evaluateCompliance,
};
