// @ts-check
'use strict';
// Real files built in code: a small PNG crew photo (zlib + CRC32) and a small valid PDF certificate.

const zlib = require('node:zlib');
const crypto = require('node:crypto');

const CRC_TABLE = (() => {
	const t = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		t[n] = c >>> 0;
	}
	return t;
})();

function crc32(buf) {
	let c = 0xffffffff;
	for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
	const len = Buffer.alloc(4);
	len.writeUInt32BE(data.length);
	const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(td));
	return Buffer.concat([len, td, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A 64x64 RGB avatar (head and shoulders) whose colours derive from the seed string. */
function crewPhotoPng(seedText, size = 64) {
	const h = crypto.createHash('sha256').update(String(seedText)).digest();
	const bg = [90 + (h[0] % 120), 90 + (h[1] % 120), 110 + (h[2] % 120)];
	const fg = [235, 225 - (h[3] % 40), 210 - (h[4] % 60)];
	const row = 1 + size * 3;
	const raw = Buffer.alloc(row * size);
	const cx = size / 2;
	for (let y = 0; y < size; y++) {
		raw[y * row] = 0; // filter: none
		for (let x = 0; x < size; x++) {
			const head = (x - cx) ** 2 + (y - size * 0.38) ** 2 <= (size * 0.18) ** 2;
			const body =
				y > size * 0.62 &&
				(x - cx) ** 2 / (size * 0.34) ** 2 + (y - size) ** 2 / (size * 0.36) ** 2 <= 1;
			const c = head || body ? fg : bg;
			const o = y * row + 1 + x * 3;
			raw[o] = c[0];
			raw[o + 1] = c[1];
			raw[o + 2] = c[2];
		}
	}
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(size, 0);
	ihdr.writeUInt32BE(size, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 2; // colour type: RGB
	ihdr[10] = 0;
	ihdr[11] = 0;
	ihdr[12] = 0;
	return Buffer.concat([
		PNG_SIGNATURE,
		pngChunk('IHDR', ihdr),
		pngChunk('IDAT', zlib.deflateSync(raw)),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
}

function pdfText(s) {
	return String(s)
		.replace(/[^\x20-\x7e]/g, '?')
		.replace(/([\\()])/g, '\\$1');
}

/** A one-page PDF 1.4 with correct xref offsets. lines: array of strings. */
function certificatePdf(lines) {
	const text = [
		'BT',
		'/F1 18 Tf',
		'72 760 Td',
		`(${pdfText(lines[0] || 'CrewPass document')}) Tj`,
		'/F1 11 Tf',
	];
	for (const line of lines.slice(1)) text.push('0 -22 Td', `(${pdfText(line)}) Tj`);
	text.push('ET');
	const stream = text.join('\n');
	const objects = [
		'<< /Type /Catalog /Pages 2 0 R >>',
		'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
		'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
		'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
		`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`,
	];
	let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
	const offsets = [];
	objects.forEach((body, i) => {
		offsets.push(Buffer.byteLength(out, 'latin1'));
		out += `${i + 1} 0 obj\n${body}\nendobj\n`;
	});
	const xref = Buffer.byteLength(out, 'latin1');
	out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
	for (const o of offsets) out += String(o).padStart(10, '0') + ' 00000 n \n';
	out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
	return Buffer.from(out, 'latin1');
}

module.exports = { crc32, crewPhotoPng, certificatePdf, PNG_SIGNATURE };
