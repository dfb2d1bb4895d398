#!/usr/bin/env node
// Independent sigstore implementation for Palisade's tests: makes and checks
// key-based sigstore bundles with @sigstore/sign and @sigstore/verify, and
// attaches a bundle to an OCI image layout as an OCI 1.1 referrer.
//
//   sigstore_tool.js sign   --key PRIV --artifact FILE --type message|dsse
//                           [--digest sha256:HEX] [--out FILE]
//   sigstore_tool.js verify --key PUB --bundle FILE [--artifact FILE] [--digest sha256:HEX]
//   sigstore_tool.js attach --layout DIR --bundle FILE --subject-digest D
//                           --subject-size N --subject-media-type MT
//
// Modules are resolved from NODE_PATH (an `npm install @sigstore/sign
// @sigstore/verify` done at test time in a scratch directory).
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const {MessageSignatureBundleBuilder, DSSEBundleBuilder} = require('@sigstore/sign');
const {Verifier, toSignedEntity, toTrustMaterial} = require('@sigstore/verify');
const {bundleFromJSON, bundleToJSON} = require('@sigstore/bundle');

function args(argv)
{
	const out = {};
	for (let i = 0; i < argv.length; i += 2) {
		if (!argv[i].startsWith('--'))
			throw new Error(`unexpected argument ${argv[i]}`);
		out[argv[i].slice(2)] = argv[i + 1];
	}
	return out;
}

function need(a, ...names)
{
	for (const n of names)
		if (a[n] === undefined)
			throw new Error(`--${n} is required`);
}

// Node picks the hash from the key for Ed25519 (none); for EC and RSA the
// bundle's messageDigest is SHA-256, so sign with SHA-256 too.
function signWith(priv)
{
	const pub = crypto.createPublicKey(priv).export({type : 'spki', format : 'pem'});
	const alg = priv.asymmetricKeyType === 'ed25519' ? null : 'sha256';
	return {
		async sign(data) {
			return {
				signature : crypto.sign(alg, data, priv),
				key : {$case : 'publicKey', publicKey : pub, hint : ''},
			};
		},
	};
}

function statement(digest)
{
	const [alg, hex] = digest.split(':');
	return JSON.stringify({
		_type : 'https://in-toto.io/Statement/v1',
		subject : [ {name : 'test', digest : {[alg] : hex}} ],
		predicateType : 'https://palisade.dev/test/v1',
		predicate : {},
	});
}

async function sign(a)
{
	need(a, 'key', 'type');
	const priv = crypto.createPrivateKey(fs.readFileSync(a.key));
	const signer = signWith(priv);
	let bundle;
	if (a.type === 'message') {
		need(a, 'artifact');
		const builder = new MessageSignatureBundleBuilder({signer, witnesses : []});
		bundle = await builder.create({data : fs.readFileSync(a.artifact)});
	} else if (a.type === 'dsse') {
		need(a, 'digest');
		const builder =
		    new DSSEBundleBuilder({signer, witnesses : [], certificateChain : false});
		bundle = await builder.create({
			data : Buffer.from(statement(a.digest)),
			type : 'application/vnd.in-toto+json',
		});
	} else {
		throw new Error('--type must be message or dsse');
	}
	const json = JSON.stringify(bundleToJSON(bundle));
	if (a.out)
		fs.writeFileSync(a.out, json);
	else
		process.stdout.write(json + '\n');
}

function verify(a)
{
	need(a, 'key', 'bundle');
	const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(a.bundle, 'utf8')));
	const key = crypto.createPublicKey(fs.readFileSync(a.key));
	const trust = toTrustMaterial(
	    {certificateAuthorities : [], timestampAuthorities : [], tlogs : [], ctlogs : []},
	    () => ({publicKey : key, validFor : () => true}));
	const verifier =
	    new Verifier(trust, {tlogThreshold : 0, ctlogThreshold : 0, timestampThreshold : 0});
	const artifact = a.artifact ? fs.readFileSync(a.artifact) : undefined;
	verifier.verify(toSignedEntity(bundle, artifact));
	if (bundle.content.$case === 'dsseEnvelope' && a.digest) {
		const st = JSON.parse(bundle.content.dsseEnvelope.payload.toString('utf8'));
		const [alg, hex] = a.digest.split(':');
		if (!st.subject.some((s) => s.digest && s.digest[alg] === hex))
			throw new Error(`statement subject does not name ${a.digest}`);
	}
	console.log(`bundle verified (${bundle.content.$case})`);
}

function writeBlob(layout, data)
{
	const hex = crypto.createHash('sha256').update(data).digest('hex');
	const dir = path.join(layout, 'blobs', 'sha256');
	fs.mkdirSync(dir, {recursive : true});
	fs.writeFileSync(path.join(dir, hex), data);
	return {digest : `sha256:${hex}`, size : data.length};
}

function attach(a)
{
	need(a, 'layout', 'bundle', 'subject-digest', 'subject-size', 'subject-media-type');
	const bundleData = fs.readFileSync(a.bundle);
	// A damaged bundle (a test case) is attached as v0.3 all the same.
	let mt = 'application/vnd.dev.sigstore.bundle.v0.3+json';
	try {
		mt = JSON.parse(bundleData).mediaType || mt;
	} catch (e) {
	}
	const b = writeBlob(a.layout, bundleData);
	const empty = writeBlob(a.layout, Buffer.from('{}'));
	const manifest = Buffer.from(JSON.stringify({
		schemaVersion : 2,
		mediaType : 'application/vnd.oci.image.manifest.v1+json',
		artifactType : mt,
		config : {mediaType : 'application/vnd.oci.empty.v1+json', ...empty},
		layers : [ {mediaType : mt, ...b} ],
		subject : {
			mediaType : a['subject-media-type'],
			digest : a['subject-digest'],
			size : Number(a['subject-size']),
		},
	}));
	const m = writeBlob(a.layout, manifest);
	const indexPath = path.join(a.layout, 'index.json');
	const index = JSON.parse(fs.readFileSync(indexPath, 'utf8'));
	index.manifests.push(
	    {mediaType : 'application/vnd.oci.image.manifest.v1+json', ...m, artifactType : mt});
	fs.writeFileSync(indexPath, JSON.stringify(index));
	console.log(m.digest);
}

async function main()
{
	const [cmd, ...rest] = process.argv.slice(2);
	const a = args(rest);
	if (cmd === 'sign')
		await sign(a);
	else if (cmd === 'verify')
		verify(a);
	else if (cmd === 'attach')
		attach(a);
	else
		throw new Error('usage: sigstore_tool.js sign|verify|attach ...');
}

main().catch((e) => {
	console.error(`sigstore_tool: ${e.message}`);
	process.exit(1);
});
