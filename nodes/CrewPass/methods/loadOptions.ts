import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { listVessels } from '../client';

/** The vessels on your account, for multi-select vessel filters. */
export async function getVessels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const vessels = await listVessels(this);
	return vessels
		.map((vessel) => ({
			name: String(vessel.vessel_name ?? vessel.vessel_id),
			value: String(vessel.vessel_id),
			description: [vessel.vessel_type, vessel.imo ? `IMO ${String(vessel.imo)}` : undefined]
				.filter(Boolean)
				.join(' · '),
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}
