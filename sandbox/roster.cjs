// @ts-check
'use strict';
// Roster changes between polls, "as CrewPass would see them change": crew members join and leave
// vessels (and the fleet), move, take a second vessel, change role; vessels are added, renamed,
// removed; compliance is moved by document changes. The fleet roster (GET /fleet) is
// `store.rows` (one row per crew member and vessel, in roster order) and each crew member's
// `placements`; both change together here. Used by the /_sandbox/roster/ routes and `sb.roster`.
//
// A crew member with no placement left is off the fleet: the API answers 404 for them (as for
// anyone outside the fleet) and no webhook names them; the sandbox keeps them so they can rejoin.

const { addDays } = require('./clock.cjs');
const { REQUIREMENTS, ROLES, requirementKeysFor, requirementStatus } = require('./compliance.cjs');
const { makeCrew, makeVessel, createRng } = require('./data.cjs');
const { SandboxError } = require('./control.cjs');

/** @typedef {import('./data.cjs').Store} Store */
/** @typedef {{ crew: any, vessel: any, role: string | null }} RosterRow */

const CREW_STATUSES = ['verified', 'pending', 'unverified'];
const BG_STATUSES = ['pending', 'awaiting', 'in-progress', 'completed', 'declined', 'expired'];
const OVERALL = ['compliant', 'at_risk', 'non_compliant'];
const STATUS_FIELDS = ['verification_status', 'status', 'both'];
const ADD_CREW_FIELDS = [
	'partner_id',
	'vessel_id',
	'role',
	'verification_status',
	'background_check_status',
	'status_consent',
	'documents_consent',
	'compliance_consent',
	'identity_consent',
	'has_photo',
	'documents',
	'first_name',
	'last_name',
	'email',
	'position',
];
const CHURN_COUNTS = [
	'joins',
	'leaves',
	'moves',
	'second_vessels',
	'role_changes',
	'status_changes',
	'background_changes',
	'consent_withdrawals',
	'consent_grants',
];
const CHURN_FIELDS = [...CHURN_COUNTS, 'seed', 'partner_id'];

/** @param {string} message */
function invalid(message) {
	return new SandboxError(422, 'validation_error', message);
}

/**
 * Refuse fields a control does not know (a typo such as `vesselId` must not pass as a default).
 * @param {Record<string, unknown>} body
 * @param {string[]} fields
 * @param {string} what
 */
function only(body, fields, what) {
	const unknown = Object.keys(body).filter((k) => !fields.includes(k));
	if (unknown.length)
		throw invalid(
			`unknown field(s) for ${what}: ${unknown.join(', ')} (known: ${fields.join(', ')})`,
		);
}

/**
 * One row of GET /fleet as the API answers it.
 * @param {RosterRow} row
 * @param {{ today: string, until: string, asOf: string, showStatus: boolean, statusField?: string }} o
 *   showStatus: the partner holds crew:status:read; statusField: where the verification status
 *   goes ('verification_status' as in the crew guide, 'status' as in the quickstart, or 'both')
 */
function fleetRow(row, { today, until, asOf, showStatus, statusField = 'verification_status' }) {
	const crew = row.crew;
	/** @type {Record<string, unknown>} */
	const item = {
		crew_unique_id: crew.crew_unique_id,
		name: `${crew.first_name.charAt(0)}. ${crew.last_name}`,
		vessel_id: row.vessel.vessel_id,
		vessel_name: row.vessel.vessel_name,
		role: row.role,
	};
	if (showStatus && crew.consents.has('crew:status:read')) {
		if (statusField !== 'status') item.verification_status = crew.verification_status;
		if (statusField !== 'verification_status') item.status = crew.verification_status;
		item.background_check_status = crew.background_check_status;
	}
	let expiring = 0;
	for (const d of crew.docsByKind.values()) {
		if (d.verification_status === 'rejected' || !d.expiry_date) continue;
		if (d.expiry_date >= today && d.expiry_date <= until) expiring++;
	}
	item.documents_expiring = expiring;
	item.as_of = asOf;
	return item;
}

/**
 * One item of GET /vessels.
 * @param {any} v a vessel of the store
 */
function vesselItem(v) {
	return {
		vessel_id: v.vessel_id,
		vessel_name: v.vessel_name,
		imo: v.imo,
		mmsi: v.mmsi,
		flag_state: v.flag_state,
		vessel_type: v.vessel_type,
	};
}

/**
 * @param {{ store: Store, clock: import('./types.cjs').SandboxClock, control: any }} deps
 *   control: the data-change helpers of control.cjs (documents, statuses, consents)
 */
function createRoster({ store, clock, control }) {
	const rng = createRng((store.seed ^ 0x705e7e) >>> 0);

	function mainPartnerId() {
		for (const p of store.partners.values()) if (p.main) return p.partner_id;
		throw new Error('no main partner');
	}
	/** @param {unknown} id */
	function partnerOr404(id) {
		const pid = id === undefined || id === null ? mainPartnerId() : String(id);
		const p = store.partners.get(pid);
		if (!p) throw new SandboxError(404, 'not_found', 'no partner with id ' + pid);
		return p;
	}
	/** @param {string} crewId */
	function crewOr404(crewId) {
		const crew = store.crew.get(crewId);
		if (!crew) throw new SandboxError(404, 'not_found', 'no crew member with id ' + crewId);
		return crew;
	}
	/**
	 * A vessel of the partner.
	 * @param {string} partnerId
	 * @param {unknown} vesselId
	 * @param {string} field
	 */
	function vesselOf(partnerId, vesselId, field) {
		if (typeof vesselId !== 'string' || !vesselId) throw invalid(`${field} is required`);
		const v = store.vessels.get(vesselId);
		if (!v || v.partner_id !== partnerId)
			throw new SandboxError(404, 'not_found', `no vessel ${vesselId} on partner ${partnerId}`);
		return v;
	}
	/** @param {string} partnerId @returns {RosterRow[]} */
	const rowsOf = (partnerId) => store.rows.get(partnerId);

	/** @param {unknown} role */
	function checkRole(role) {
		if (role === null) return null;
		if (typeof role !== 'string' || !ROLES.includes(role))
			throw invalid(`role must be one of ${ROLES.join(', ')} (or null for no role)`);
		return role;
	}
	/** @param {unknown} p @param {number} max */
	function position(p, max) {
		if (p === undefined || p === null) return max;
		const n = Number(p);
		if (!Number.isInteger(n) || n < 0) throw invalid('position must be a row index >= 0');
		return Math.min(n, max);
	}
	/**
	 * The one placement a change is about: `vessel_id` names it; without it the crew member must
	 * hold exactly one.
	 * @param {any} crew
	 * @param {unknown} vesselId
	 * @param {string} field
	 */
	function placementOf(crew, vesselId, field) {
		if (vesselId === undefined || vesselId === null) {
			if (crew.placements.length === 1) return crew.placements[0];
			throw invalid(
				crew.placements.length
					? `${crew.crew_unique_id} is on ${crew.placements.length} vessels: give ${field}`
					: `${crew.crew_unique_id} is on no vessel (off the fleet)`,
			);
		}
		const p = crew.placements.find((/** @type {any} */ x) => x.vessel_id === vesselId);
		if (!p)
			throw new SandboxError(
				404,
				'not_found',
				`${crew.crew_unique_id} is not on vessel ${String(vesselId)}`,
			);
		return p;
	}
	/** @param {any} crew @param {string} vesselId */
	function rowIndex(crew, vesselId) {
		return rowsOf(crew.partner_id).findIndex(
			(r) => r.crew === crew && r.vessel.vessel_id === vesselId,
		);
	}

	/** The fleet row(s) of a crew member as GET /fleet (30-day window, status shown) answers them. */
	function rowsView(/** @type {any} */ crew) {
		const today = clock.today();
		const until = addDays(today, 30);
		const asOf = clock.iso();
		return rowsOf(crew.partner_id)
			.filter((r) => r.crew === crew)
			.map((r) => fleetRow(r, { today, until, asOf, showStatus: true }));
	}
	/** @param {any} crew */
	function summary(crew) {
		return {
			crew_unique_id: crew.crew_unique_id,
			partner_id: crew.partner_id,
			on_fleet: crew.placements.length > 0,
			placements: crew.placements.map((/** @type {any} */ p) => ({ ...p })),
			rows: rowsView(crew),
		};
	}

	// ---------- crew members ----------

	/**
	 * A new crew member on a vessel (joins the fleet).
	 * @param {Record<string, any>} [body]
	 */
	function addCrew(body = {}) {
		only(body, ADD_CREW_FIELDS, 'a new crew member');
		const partner = partnerOr404(body.partner_id);
		const vessels = store.vesselsByPartner.get(partner.partner_id);
		const vessel =
			body.vessel_id === undefined
				? vessels[0]
				: vesselOf(partner.partner_id, body.vessel_id, 'vessel_id');
		if (!vessel) throw invalid(`partner ${partner.partner_id} has no vessel: add one first`);
		const role = body.role === undefined ? 'Deckhand' : checkRole(body.role);
		const verification = body.verification_status ?? 'verified';
		if (!CREW_STATUSES.includes(verification))
			throw invalid('verification_status must be one of ' + CREW_STATUSES.join(', '));
		const bg =
			body.background_check_status === undefined ? 'completed' : body.background_check_status;
		if (bg !== null && !BG_STATUSES.includes(bg))
			throw invalid(`background_check_status must be one of ${BG_STATUSES.join(', ')} or null`);
		const docs = body.documents ?? {};
		if (typeof docs !== 'object' || Array.isArray(docs))
			throw invalid(
				"documents is a map requirement_key -> 'valid' | 'missing' | 'expired' | 'pending' | 'rejected' | days until expiry",
			);
		const withhold = [];
		if (body.status_consent === false) withhold.push('crew:status:read');
		if (body.documents_consent === false)
			withhold.push('crew:documents:read', 'crew:documents:download');
		if (body.compliance_consent === false) withhold.push('crew:compliance:read');
		const email = body.email === undefined ? null : String(body.email).trim().toLowerCase();
		if (
			email !== null &&
			(!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) || store.crewByEmail.has(email))
		)
			throw invalid('email must be a valid address no other crew member uses');
		const rows = rowsOf(partner.partner_id);
		const at = position(body.position, rows.length);
		const fx = {
			key: 'added',
			docs,
			withhold,
			identity: Boolean(body.identity_consent),
			photo: body.has_photo !== false,
			bg,
			verification,
		};
		const usedEmails = { has: (/** @type {string} */ e) => store.crewByEmail.has(e), add() {} };
		const crew = makeCrew(store, rng, partner, [{ vessel, role }], fx, usedEmails, clock.today());
		if (body.first_name !== undefined || body.last_name !== undefined) {
			crew.first_name = String(body.first_name ?? crew.first_name);
			crew.last_name = String(body.last_name ?? crew.last_name);
			crew.name = `${crew.first_name} ${crew.last_name}`;
		}
		if (email !== null) {
			store.crewByEmail.delete(crew.email);
			crew.email = email;
			store.crewByEmail.set(email, crew);
		}
		rows.splice(at, 0, { crew, vessel, role });
		return summary(crew);
	}

	/**
	 * Take a crew member off one vessel (`vessel_id`), or off every vessel: they leave the fleet.
	 * @param {string} crewId
	 * @param {Record<string, any>} [body]
	 */
	function removeCrew(crewId, body = {}) {
		only(body, ['vessel_id'], 'leaving');
		const crew = crewOr404(crewId);
		const leaving =
			body.vessel_id === undefined || body.vessel_id === null
				? [...crew.placements]
				: [placementOf(crew, body.vessel_id, 'vessel_id')];
		if (!leaving.length) throw invalid(`${crewId} is on no vessel (already off the fleet)`);
		const rows = rowsOf(crew.partner_id);
		/** @type {Array<{ vessel_id: string, role: string | null }>} */
		const removed = [];
		for (const p of leaving) {
			const i = rowIndex(crew, p.vessel_id);
			if (i >= 0) rows.splice(i, 1);
			crew.placements.splice(crew.placements.indexOf(p), 1);
			removed.push({ vessel_id: p.vessel_id, role: p.role });
		}
		return { ...summary(crew), removed };
	}

	/**
	 * Move a crew member from one vessel to another (the row keeps its place in the roster).
	 * @param {string} crewId
	 * @param {Record<string, any>} [body] { to_vessel_id, from_vessel_id?, role? }
	 */
	function moveCrew(crewId, body = {}) {
		only(body, ['to_vessel_id', 'from_vessel_id', 'role'], 'a move');
		const crew = crewOr404(crewId);
		const p = placementOf(crew, body.from_vessel_id, 'from_vessel_id');
		const to = vesselOf(crew.partner_id, body.to_vessel_id, 'to_vessel_id');
		if (crew.placements.some((/** @type {any} */ x) => x.vessel_id === to.vessel_id))
			throw invalid(`${crewId} is already on ${to.vessel_id}`);
		const role = body.role === undefined ? p.role : checkRole(body.role);
		const from = { vessel_id: p.vessel_id, role: p.role };
		return control.withCompliance(crew, () => {
			const row = rowsOf(crew.partner_id)[rowIndex(crew, p.vessel_id)];
			row.vessel = to;
			row.role = role;
			p.vessel_id = to.vessel_id;
			p.role = role;
			return { ...summary(crew), from, to: { vessel_id: to.vessel_id, role } };
		}).result;
	}

	/**
	 * Put a crew member on one more vessel (a second row), or back on the fleet after leaving.
	 * @param {string} crewId
	 * @param {Record<string, any>} [body] { vessel_id, role?, position? }
	 */
	function addPlacement(crewId, body = {}) {
		only(body, ['vessel_id', 'role', 'position'], 'a placement');
		const crew = crewOr404(crewId);
		const vessel = vesselOf(crew.partner_id, body.vessel_id, 'vessel_id');
		if (crew.placements.some((/** @type {any} */ x) => x.vessel_id === vessel.vessel_id))
			throw invalid(`${crewId} is already on ${vessel.vessel_id}`);
		const role =
			body.role === undefined
				? (crew.placements[0]?.role ?? crew.rank ?? 'Deckhand')
				: checkRole(body.role);
		const rows = rowsOf(crew.partner_id);
		let last = -1;
		rows.forEach((r, i) => {
			if (r.crew === crew) last = i;
		});
		const at = position(body.position, last >= 0 ? last + 1 : rows.length);
		rows.splice(at, 0, { crew, vessel, role });
		crew.placements.push({ vessel_id: vessel.vessel_id, role });
		return summary(crew);
	}

	/**
	 * Change a crew member's role on one vessel (fires crew.compliance.changed when the overall
	 * status on that vessel moves: a new role needs other certificates).
	 * @param {string} crewId
	 * @param {Record<string, any>} [body] { role, vessel_id? }
	 */
	function setRole(crewId, body = {}) {
		only(body, ['role', 'vessel_id'], 'a role change');
		if (!('role' in body)) throw invalid('role is required (null for no role)');
		const crew = crewOr404(crewId);
		const p = placementOf(crew, body.vessel_id, 'vessel_id');
		const role = checkRole(body.role);
		const before = p.role;
		const out = control.withCompliance(crew, () => {
			p.role = role;
			rowsOf(crew.partner_id)[rowIndex(crew, p.vessel_id)].role = role;
		});
		return {
			...summary(crew),
			vessel_id: p.vessel_id,
			before,
			after: role,
			events: out.compliance_events,
		};
	}

	/**
	 * Move the compliance answer (POST compliance-checks) of one placement to `overall_status`,
	 * through document changes a crew member could make (each fires its webhooks):
	 * compliant = every requirement of the role met (missing/expiring/expired/pending ones replaced
	 * by verified uploads); at_risk = compliant, then an ENG1 expiring in 45 days;
	 * non_compliant = the current ENG1 expired (or rejected when it has none to expire).
	 * @param {string} crewId
	 * @param {Record<string, any>} [body] { overall_status, vessel_id? }
	 */
	function setCompliance(crewId, body = {}) {
		only(body, ['overall_status', 'vessel_id'], 'a compliance change');
		const crew = crewOr404(crewId);
		if (!OVERALL.includes(body.overall_status))
			throw invalid('overall_status must be one of ' + OVERALL.join(', '));
		const p = placementOf(crew, body.vessel_id, 'vessel_id');
		if (!p.role)
			throw invalid(`${crewId} has no role on ${p.vessel_id} (no_role): set a role first`);
		const before = control.complianceOf(crew, p.vessel_id);
		/** @type {any[]} */
		const events = [];
		/** @param {{ events: any[] }} r */
		const collect = (r) => events.push(...r.events);
		const today = clock.today();
		if (body.overall_status === 'non_compliant') {
			const eng1 = crew.docsByKind.get('eng1');
			if (eng1 && requirementStatus(eng1, today).status !== 'expired')
				collect(control.expireDocument(crewId, eng1.document_id));
		} else {
			for (const key of requirementKeysFor(p.role))
				if (requirementStatus(crew.docsByKind.get(key), today).status !== 'met')
					collect(
						control.uploadDocument(crewId, {
							requirement_key: key,
							verification_status: 'verified',
							expires_in_days: REQUIREMENTS[key].years === null ? undefined : 700,
						}),
					);
			if (body.overall_status === 'at_risk')
				collect(
					control.uploadDocument(crewId, {
						requirement_key: 'eng1',
						verification_status: 'verified',
						expires_in_days: 45,
					}),
				);
		}
		const after = control.complianceOf(crew, p.vessel_id);
		return {
			crew_unique_id: crew.crew_unique_id,
			vessel_id: p.vessel_id,
			before: before.overall_status,
			after: after.overall_status,
			events,
		};
	}

	// ---------- vessels ----------

	const VESSEL_FIELDS = ['vessel_name', 'imo', 'mmsi', 'flag_state', 'vessel_type'];
	/** @param {Record<string, any>} body @param {string[]} [extra] other fields the caller reads */
	function vesselFields(body, extra = []) {
		only(body, [...VESSEL_FIELDS, ...extra], 'a vessel');
		/** @type {Record<string, string>} */
		const out = {};
		for (const f of VESSEL_FIELDS)
			if (body[f] !== undefined) {
				if (typeof body[f] !== 'string' || !body[f])
					throw invalid(`${f} must be a non-empty string`);
				out[f] = body[f];
			}
		return out;
	}
	/** @param {any} v */
	const vesselView = (v) => ({ ...vesselItem(v), partner_id: v.partner_id });

	/** @param {Record<string, any>} [body] { partner_id?, vessel_name?, imo?, mmsi?, flag_state?, vessel_type? } */
	function addVessel(body = {}) {
		const fields = vesselFields(body, ['partner_id']);
		const partner = partnerOr404(body.partner_id);
		const v = makeVessel(store, rng, partner.partner_id);
		Object.assign(v, fields);
		store.vesselsByPartner.get(partner.partner_id).push(v);
		return vesselView(v);
	}

	/** @param {string} vesselId @param {Record<string, any>} [body] */
	function updateVessel(vesselId, body = {}) {
		const v = store.vessels.get(vesselId);
		if (!v) throw new SandboxError(404, 'not_found', 'no vessel with id ' + vesselId);
		const fields = vesselFields(body);
		if (!Object.keys(fields).length)
			throw invalid('give at least one of ' + VESSEL_FIELDS.join(', '));
		Object.assign(v, fields);
		return vesselView(v);
	}

	/**
	 * Remove a vessel from the partner's account: its crew leave it (their rows go; a crew member
	 * with no other vessel leaves the fleet).
	 * @param {string} vesselId
	 */
	function removeVessel(vesselId) {
		const v = store.vessels.get(vesselId);
		if (!v) throw new SandboxError(404, 'not_found', 'no vessel with id ' + vesselId);
		const list = store.vesselsByPartner.get(v.partner_id);
		list.splice(list.indexOf(v), 1);
		store.vessels.delete(vesselId);
		const rows = rowsOf(v.partner_id);
		/** @type {Array<{ crew_unique_id: string, role: string | null, left_fleet: boolean }>} */
		const removed = [];
		for (let i = rows.length - 1; i >= 0; i--) {
			const r = rows[i];
			if (r.vessel !== v) continue;
			rows.splice(i, 1);
			r.crew.placements = r.crew.placements.filter(
				(/** @type {any} */ p) => p.vessel_id !== vesselId,
			);
			removed.unshift({
				crew_unique_id: r.crew.crew_unique_id,
				role: r.role,
				left_fleet: r.crew.placements.length === 0,
			});
		}
		return { vessel: vesselView(v), removed_rows: removed };
	}

	// ---------- churn: many random changes at once (large rosters) ----------

	/**
	 * Random changes on distinct crew members (seeded; at most one change per crew member), for
	 * large-roster tests. Returns each change as applied, in order.
	 * @param {Record<string, any>} [body] counts: joins, leaves, moves, second_vessels, role_changes,
	 *   status_changes, background_changes, consent_withdrawals, consent_grants; seed?; partner_id?
	 */
	function churn(body = {}) {
		only(body, CHURN_FIELDS, 'churn');
		const partner = partnerOr404(body.partner_id);
		const r = createRng(body.seed === undefined ? rng.int(0, 2 ** 31) : Number(body.seed));
		/** @param {string} k */
		const count = (k) => {
			const n = body[k] === undefined ? 0 : Number(body[k]);
			if (!Number.isInteger(n) || n < 0 || n > 100_000)
				throw invalid(`${k} must be an integer 0..100000`);
			return n;
		};
		const counts = Object.fromEntries(CHURN_COUNTS.map((k) => [k, count(k)]));
		const vessels = store.vesselsByPartner.get(partner.partner_id);
		/** @type {Set<any>} */
		const touched = new Set();
		/** @type {Array<Record<string, unknown> & { op: string, crew_unique_id: string }>} */
		const changes = [];
		/**
		 * A random crew member of the roster not changed yet that `ok` accepts.
		 * @param {(crew: any) => boolean} ok
		 */
		function pick(ok) {
			const rows = rowsOf(partner.partner_id);
			for (let tries = 0; tries < 200; tries++) {
				const row = rows[r.int(0, rows.length - 1)];
				if (row && !touched.has(row.crew) && ok(row.crew)) {
					touched.add(row.crew);
					return row.crew;
				}
			}
			return null;
		}
		const single = (/** @type {any} */ c) => c.placements.length === 1;
		const statusShown = (/** @type {any} */ c) => c.consents.has('crew:status:read');
		/** @param {any} c */
		const otherVessel = (c) => {
			const free = vessels.filter(
				(v) => !c.placements.some((/** @type {any} */ p) => p.vessel_id === v.vessel_id),
			);
			return free.length ? free[r.int(0, free.length - 1)] : null;
		};
		for (let i = 0; i < counts.leaves; i++) {
			const c = pick(() => true);
			if (!c) break;
			const out = removeCrew(c.crew_unique_id);
			changes.push({ op: 'remove_crew', crew_unique_id: c.crew_unique_id, removed: out.removed });
		}
		for (let i = 0; i < counts.moves; i++) {
			const c = pick((x) => single(x) && otherVessel(x) !== null);
			if (!c) break;
			const out = moveCrew(c.crew_unique_id, { to_vessel_id: otherVessel(c).vessel_id });
			changes.push({ op: 'move', crew_unique_id: c.crew_unique_id, from: out.from, to: out.to });
		}
		for (let i = 0; i < counts.second_vessels; i++) {
			const c = pick((x) => single(x) && otherVessel(x) !== null);
			if (!c) break;
			const v = otherVessel(c);
			const role = ROLES[r.int(0, ROLES.length - 1)];
			addPlacement(c.crew_unique_id, { vessel_id: v.vessel_id, role });
			changes.push({
				op: 'add_placement',
				crew_unique_id: c.crew_unique_id,
				vessel_id: v.vessel_id,
				role,
			});
		}
		for (let i = 0; i < counts.role_changes; i++) {
			const c = pick(single);
			if (!c) break;
			const before = c.placements[0].role;
			const choices = ROLES.filter((x) => x !== before);
			const out = setRole(c.crew_unique_id, { role: choices[r.int(0, choices.length - 1)] });
			changes.push({
				op: 'set_role',
				crew_unique_id: c.crew_unique_id,
				vessel_id: out.vessel_id,
				before: out.before,
				after: out.after,
			});
		}
		/**
		 * `n` status changes of `field` on distinct crew members who share status.
		 * @param {number} n
		 * @param {'verification_status' | 'background_check_status'} field
		 * @param {Array<string | null>} values
		 */
		function statusChanges(n, field, values) {
			for (let i = 0; i < n; i++) {
				const c = pick(statusShown);
				if (!c) break;
				const before = c[field];
				const choices = values.filter((x) => x !== before);
				const after = choices[r.int(0, choices.length - 1)];
				control.setStatus(c.crew_unique_id, { [field]: after });
				changes.push({ op: `set_${field}`, crew_unique_id: c.crew_unique_id, before, after });
			}
		}
		statusChanges(counts.status_changes, 'verification_status', CREW_STATUSES);
		statusChanges(counts.background_changes, 'background_check_status', [...BG_STATUSES, null]);
		for (let i = 0; i < counts.consent_withdrawals; i++) {
			const c = pick(statusShown);
			if (!c) break;
			control.setConsents(c.crew_unique_id, { revoke: ['crew:status:read'] });
			changes.push({ op: 'withdraw_status_consent', crew_unique_id: c.crew_unique_id });
		}
		for (let i = 0; i < counts.consent_grants; i++) {
			const c = pick((x) => !statusShown(x));
			if (!c) break;
			control.setConsents(c.crew_unique_id, { grant: ['crew:status:read'] });
			changes.push({ op: 'grant_status_consent', crew_unique_id: c.crew_unique_id });
		}
		for (let i = 0; i < counts.joins; i++) {
			const v = vessels[r.int(0, vessels.length - 1)];
			if (!v) break;
			const rows = rowsOf(partner.partner_id);
			const role = ROLES[r.int(0, ROLES.length - 1)];
			const out = addCrew({
				partner_id: partner.partner_id,
				vessel_id: v.vessel_id,
				role,
				position: r.int(0, rows.length),
			});
			touched.add(store.crew.get(out.crew_unique_id));
			changes.push({
				op: 'add_crew',
				crew_unique_id: out.crew_unique_id,
				vessel_id: v.vessel_id,
				role,
			});
		}
		return { changes, rows: rowsOf(partner.partner_id).length };
	}

	return {
		addCrew,
		removeCrew,
		moveCrew,
		addPlacement,
		setRole,
		setCompliance,
		addVessel,
		updateVessel,
		removeVessel,
		churn,
		summary: (/** @type {string} */ id) => summary(crewOr404(id)),
	};
}

module.exports = { createRoster, fleetRow, vesselItem, STATUS_FIELDS, CREW_STATUSES, BG_STATUSES };
