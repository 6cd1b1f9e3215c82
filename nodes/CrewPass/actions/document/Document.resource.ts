import type { INodeProperties } from 'n8n-workflow';

import type { CrewPassResource } from '../types';
import * as download from './download.operation';
import * as downloadAll from './downloadAll.operation';
import * as getDownloadLink from './getDownloadLink.operation';
import * as getAll from './getAll.operation';

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['document'] } },
	options: [
		{
			name: 'Download',
			value: 'download',
			description:
				"Download one of a crew member's document files (certificate, medical) as binary data",
			action: 'Download a document file details only for AI',
		},
		{
			name: 'Download All',
			value: 'downloadAll',
			description:
				'Download every current document file of a crew member, one item per document with binary data',
			action: 'Download all files of a crew member up to 50 for AI',
		},
		{
			name: 'Get Download Link',
			value: 'getDownloadLink',
			description:
				'Get a short-lived link (about 15 minutes) to a document file, with its file name and content type',
			action: 'Get a document link hidden from AI by default',
		},
		{
			name: 'Get Many',
			value: 'getAll',
			description:
				"List a crew member's current documents with issuer, verification status and days until expiry",
			action: 'Get many documents of a crew member up to 50 for AI',
		},
	],
	default: 'getAll',
};

export const document: CrewPassResource = {
	description: [
		operation,
		...getAll.description,
		...getDownloadLink.description,
		...download.description,
		...downloadAll.description,
	],
	operations: { getAll, getDownloadLink, download, downloadAll },
};
