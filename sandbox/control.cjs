// @ts-check
'use strict';
// Data changes "as CrewPass would see them change", each firing the webhooks the change implies.
// Used by the /_sandbox/ control endpoints and by the in-process `sandbox.control` helpers.

const { addDays } = require('./clock.cjs');
const {
	REQUIREMENTS,
	evaluateCompliance,
	effectiveVerificationStatus,
} = require('./compliance.cjs');
const { makeDocument, createRng } = require('./data.cjs');

class SandboxError extends Error {
	constructor(status, code, message, extra) {
		super(message);
		this.status = status;
		this.code = code;
		this.extra = extra;
	}
}

const DOC_STATUSES = ['verified', 'pending', 'rejected', 'expired'];
const BG_STATUSES = [
	'pending',
	'awaiting',
	'in-progress',
	'completed',
	'declined',
	'expired',
	null,
];
const CREW_STATUSES = ['verified', 'pending', 'unverified'];
const PROFILE_FIELDS = [
	'name',
	'rank',
	'nationality',
	'languages',
	'skills',
	'years_experience',
	'bio',
	'email',
	'phone',
	'has_photo',
];
const IDENTITY_FIELDS = ['date_of_birth', 'address', 'passport', 'visas', 'employment_history'];
const KNOWN_SCOPES = [
	'crew:compliance:read',
	'crew:documents:download',
	'crew:documents:read',
	'crew:profile:full:read',
	'crew:profile:read',
	'crew:status:read',
];

function documentPayload(doc, today) {
	return {
		crew_unique_id: doc.crew_unique_id,
		document_id: doc.document_id,
		type: doc.type,
		category: doc.category,
		title: doc.title,
		issuer: doc.issuer,
		verification_status: effectiveVerificationStatus(doc, today),
		issue_date: doc.issue_date,
		expiry_date: doc.expiry_date,
		document_number: doc.document_number,
	};
}

function complianceEventPayload(snapshot, vesselId) {
	return {
		crew_unique_id: snapshot.crew_unique_id,
		vessel_id: vesselId,
		overall_status: snapshot.overall_status,
		requirements_met: snapshot.requirements_met,
		requirements_total: snapshot.requirements_total,
		requirements_expiring: snapshot.requirements_expiring,
		next_expiry_date: snapshot.next_expiry_date,
	};
}

function createControl({ store, clock, webhooks }) {
	const rng = createRng((store.seed ^ 0xc0ffee) >>> 0);

	function crewOr404(crewId) {
		const crew = store.crew.get(crewId);
		if (!crew) throw new SandboxError(404, 'not_found', 'no crew member with id ' + crewId);
		return crew;
	}

	function currentDoc(crew, docId) {
		for (const d of crew.docsByKind.values()) if (d.document_id === docId) return d;
		throw new SandboxError(
			404,
			'not_found',
			`no current document ${docId} for crew member ${crew.crew_unique_id}`,
		);
	}

	function complianceByVessel(crew) {
		const today = clock.today();
		return crew.placements.map((p) => ({
			vessel_id: p.vessel_id,
			snap: evaluateCompliance(crew, p.role, crew.docsByKind, today),
		}));
	}

	/** The compliance snapshot of one placement (POST compliance-checks?vessel_id=). */
	function complianceOf(crew, vesselId) {
		const p = crew.placements.find((x) => x.vessel_id === vesselId);
		if (!p)
			throw new SandboxError(404, 'not_found', `${crew.crew_unique_id} is not on ${vesselId}`);
		return evaluateCompliance(crew, p.role, crew.docsByKind, clock.today());
	}

	/**
	 * Run a change; fire crew.compliance.changed for each vessel the crew member is on before and
	 * after whose overall status moved (a vessel joined or left has no "change").
	 */
	function withCompliance(crew, change) {
		const before = complianceByVessel(crew);
		const result = change();
		const after = complianceByVessel(crew);
		const fired = [];
		after.forEach((a) => {
			const b = before.find((x) => x.vessel_id === a.vessel_id);
			if (b && b.snap.overall_status !== a.snap.overall_status) {
				const ev = webhooks.emitForCrew(
					crew,
					'crew.compliance.changed',
					complianceEventPayload(a.snap, a.vessel_id),
				);
				if (ev) fired.push(ev);
			}
		});
		return { result, compliance_events: fired };
	}

	function uploadDocument(crewId, body = {}) {
		const crew = crewOr404(crewId);
		const kind = body.requirement_key;
		if (!REQUIREMENTS[kind])
			throw new SandboxError(
				422,
				'validation_error',
				'requirement_key must be one of: ' + Object.keys(REQUIREMENTS).join(', '),
			);
		const status = body.verification_status || 'verified';
		if (!DOC_STATUSES.includes(status))
			throw new SandboxError(
				422,
				'validation_error',
				'verification_status must be one of ' + DOC_STATUSES.join(', '),
			);
		const today = clock.today();
		const events = [];
		let supersededId = null;
		const out = withCompliance(crew, () => {
			const doc = makeDocument(store, rng, crew, kind, 'valid', today);
			doc.verification_status = status;
			if (body.expires_in_days !== undefined)
				doc.expiry_date = addDays(today, Math.floor(Number(body.expires_in_days)));
			if (body.expiry_date !== undefined) doc.expiry_date = body.expiry_date;
			for (const f of ['issue_date', 'document_number', 'issuer', 'fit_category', 'title'])
				if (body[f] !== undefined) doc[f] = body[f];
			const old = crew.docsByKind.get(kind);
			if (old) {
				supersededId = old.document_id;
				old.superseded = true;
				crew.superseded.push(old);
			}
			crew.docsByKind.set(kind, doc);
			// A new upload that finished processing (verified or rejected) fires processed.
			if (status !== 'pending') {
				const ev = webhooks.emitForCrew(
					crew,
					'crew.document.processed',
					documentPayload(doc, today),
				);
				if (ev) events.push(ev);
			}
			return doc;
		});
		return {
			document: documentPayload(out.result, today),
			superseded_document_id: supersededId,
			events: [...events, ...out.compliance_events],
		};
	}

	function setDocumentStatus(crewId, docId, status, extra = {}) {
		const crew = crewOr404(crewId);
		const doc = currentDoc(crew, docId);
		const today = clock.today();
		const events = [];
		const out = withCompliance(crew, () => {
			const was = doc.verification_status;
			doc.verification_status = status;
			if (status === 'expired' && (!doc.expiry_date || doc.expiry_date >= today))
				doc.expiry_date = addDays(today, -1);
			if (extra.expiry_date !== undefined) doc.expiry_date = extra.expiry_date;
			if (was === status && extra.expiry_date === undefined) return doc;
			// Finishing verification of a pending document = processed; any later status change = updated.
			const type =
				was === 'pending' && (status === 'verified' || status === 'rejected')
					? 'crew.document.processed'
					: 'crew.document.updated';
			const ev = webhooks.emitForCrew(crew, type, documentPayload(doc, today));
			if (ev) events.push(ev);
			return doc;
		});
		return {
			document: documentPayload(out.result, today),
			events: [...events, ...out.compliance_events],
		};
	}

	function setStatus(crewId, body = {}) {
		const crew = crewOr404(crewId);
		let changed = false;
		if (body.verification_status !== undefined) {
			if (!CREW_STATUSES.includes(body.verification_status))
				throw new SandboxError(
					422,
					'validation_error',
					'verification_status must be one of ' + CREW_STATUSES.join(', '),
				);
			changed = changed || crew.verification_status !== body.verification_status;
			crew.verification_status = body.verification_status;
		}
		if (body.background_check_status !== undefined) {
			if (!BG_STATUSES.includes(body.background_check_status))
				throw new SandboxError(
					422,
					'validation_error',
					'background_check_status must be one of pending, awaiting, in-progress, completed, declined, expired or null',
				);
			changed = changed || crew.background_check_status !== body.background_check_status;
			crew.background_check_status = body.background_check_status;
		}
		const events = [];
		if (changed) {
			const ev = webhooks.emitForCrew(crew, 'crew.status.changed', {
				crew_unique_id: crew.crew_unique_id,
				verification_status: crew.verification_status,
				background_check_status: crew.background_check_status,
			});
			if (ev) events.push(ev);
		}
		return {
			crew_unique_id: crew.crew_unique_id,
			verification_status: crew.verification_status,
			background_check_status: crew.background_check_status,
			events,
		};
	}

	function updateProfile(crewId, patch = {}) {
		const crew = crewOr404(crewId);
		const unknown = Object.keys(patch).filter(
			(k) => !PROFILE_FIELDS.includes(k) && !IDENTITY_FIELDS.includes(k),
		);
		if (unknown.length)
			throw new SandboxError(
				422,
				'validation_error',
				'unknown profile fields: ' +
					unknown.join(', ') +
					' (allowed: ' +
					[...PROFILE_FIELDS, ...IDENTITY_FIELDS].join(', ') +
					')',
			);
		for (const [k, v] of Object.entries(patch)) {
			if (IDENTITY_FIELDS.includes(k)) crew.identity[k] = v;
			else if (k === 'email') {
				const email = String(v).trim().toLowerCase();
				const other = store.crewByEmail.get(email);
				if (other && other !== crew)
					throw new SandboxError(
						422,
						'validation_error',
						'email already used by another crew member',
					);
				store.crewByEmail.delete(crew.email);
				crew.email = email;
				store.crewByEmail.set(email, crew);
			} else crew[k] = k === 'has_photo' ? Boolean(v) : v;
		}
		crew.updated_at = clock.iso();
		const events = [];
		const ev = webhooks.emitForCrew(crew, 'crew.profile.updated', {
			crew_unique_id: crew.crew_unique_id,
			updated_at: crew.updated_at,
		});
		if (ev) events.push(ev);
		return { crew_unique_id: crew.crew_unique_id, updated_at: crew.updated_at, events };
	}

	function setConsents(crewId, body = {}) {
		const crew = crewOr404(crewId);
		for (const s of [...(body.grant || []), ...(body.revoke || [])])
			if (!KNOWN_SCOPES.includes(s))
				throw new SandboxError(422, 'validation_error', 'unknown consent scope: ' + s);
		for (const s of body.grant || []) crew.consents.add(s);
		for (const s of body.revoke || []) crew.consents.delete(s);
		return { crew_unique_id: crew.crew_unique_id, consents: [...crew.consents].sort() };
	}

	return {
		uploadDocument,
		verifyDocument: (c, d) => setDocumentStatus(c, d, 'verified'),
		rejectDocument: (c, d) => setDocumentStatus(c, d, 'rejected'),
		expireDocument: (c, d) => setDocumentStatus(c, d, 'expired'),
		setDocumentStatus,
		setStatus,
		setBackgroundCheck: (c, status) => setStatus(c, { background_check_status: status }),
		updateProfile,
		setConsents,
		complianceByVessel,
		complianceOf,
		withCompliance,
	};
}

module.exports = {
	createControl,
	SandboxError,
	documentPayload,
	complianceEventPayload,
	KNOWN_SCOPES,
};
