// A real OpenID Connect provider (npm oidc-provider, pinned in package-lock.json) on loopback, for the review app's
// browser tests and `make review`. Demo users only, each with a password checked by this script's own login form,
// and a `groups` claim the app reads its roles from. Consent is granted without a prompt (a first-party client).
//
//   node tests/oidc/provider.mjs --port P --client-id ID --client-secret S --redirect-uri U [--redirect-uri U2]
//                                [--post-logout-redirect-uri U]
// Prints "oidc-provider listening on http://localhost:P" when it accepts requests. Demo sign-ins: see USERS.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';

const { values: args } = parseArgs({
	options: {
		port: { type: 'string' },
		'client-id': { type: 'string' },
		'client-secret': { type: 'string' },
		'redirect-uri': { type: 'string', multiple: true },
		'post-logout-redirect-uri': { type: 'string', multiple: true, default: [] }
	}
});
for ( const required of [ 'port', 'client-id', 'client-secret', 'redirect-uri' ] ) {
	if ( !args[ required ] ) {
		console.error( `provider.mjs: --${ required } is required` );
		process.exit( 2 );
	}
}

// Demo users: not real people, not real passwords. `outsider` has neither role (the app answers 403).
export const USERS = {
	moderator: { password: 'moderator-demo-pass', name: 'Demo Moderator', groups: [ 'moderator' ] },
	oversighter: { password: 'oversighter-demo-pass', name: 'Demo Oversighter', groups: [ 'moderator', 'oversighter' ] },
	outsider: { password: 'outsider-demo-pass', name: 'Demo Outsider', groups: [] }
};

const issuer = `http://localhost:${ args.port }`;
const provider = new Provider( issuer, {
	clients: [ {
		client_id: args[ 'client-id' ],
		client_secret: args[ 'client-secret' ],
		redirect_uris: args[ 'redirect-uri' ],
		post_logout_redirect_uris: args[ 'post-logout-redirect-uri' ],
		grant_types: [ 'authorization_code' ],
		response_types: [ 'code' ],
		token_endpoint_auth_method: 'client_secret_post'
	} ],
	claims: { openid: [ 'sub' ], profile: [ 'name' ], groups: [ 'groups' ] },
	async findAccount( ctx, id ) {
		const user = USERS[ id ];
		return user && { accountId: id, claims: () => ( { sub: id, name: user.name, groups: user.groups } ) };
	},
	interactions: { url: ( ctx, interaction ) => `/interaction/${ interaction.uid }` },
	features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
	pkce: { required: () => true },
	cookies: { keys: [ 'safeguard-review-demo-provider-only' ] }
} );

const escape = ( text ) => String( text ).replace( /[&<>"']/g, ( c ) => `&#${ c.charCodeAt( 0 ) };` );

function loginPage( uid, error ) {
	return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Sign in (demo provider)</title></head><body><main><h1>Sign in</h1>
<p>Local demo identity provider for Safeguard review.</p>${ error ? `<p role="alert">${ escape( error ) }</p>` : '' }
<form method="post" action="/interaction/${ escape( uid ) }/login">
<label for="login">Username</label> <input id="login" name="login" autocomplete="username" required>
<label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form></main></body></html>`;
}

async function readForm( req ) {
	let body = '';
	for await ( const chunk of req ) {
		body += chunk;
	}
	return new URLSearchParams( body );
}

async function interaction( req, res, uid, action ) {
	const details = await provider.interactionDetails( req, res );
	if ( details.uid !== uid ) {
		res.writeHead( 400 ).end( 'interaction mismatch' );
		return;
	}
	if ( details.prompt.name === 'login' ) {
		if ( req.method !== 'POST' || action !== 'login' ) {
			res.writeHead( 200, { 'content-type': 'text/html; charset=utf-8' } ).end( loginPage( uid ) );
			return;
		}
		const form = await readForm( req );
		const user = USERS[ form.get( 'login' ) ];
		if ( !user || user.password !== form.get( 'password' ) ) {
			res.writeHead( 200, { 'content-type': 'text/html; charset=utf-8' } ).end( loginPage( uid, 'Unknown user or wrong password.' ) );
			return;
		}
		await provider.interactionFinished( req, res, { login: { accountId: form.get( 'login' ) } }, { mergeWithLastSubmission: false } );
		return;
	}
	// consent: grant what the client asked for.
	const grant = details.grantId ? await provider.Grant.find( details.grantId ) :
		new provider.Grant( { accountId: details.session.accountId, clientId: details.params.client_id } );
	if ( details.prompt.details.missingOIDCScope ) {
		grant.addOIDCScope( details.prompt.details.missingOIDCScope.join( ' ' ) );
	}
	if ( details.prompt.details.missingOIDCClaims ) {
		grant.addOIDCClaims( details.prompt.details.missingOIDCClaims );
	}
	const grantId = await grant.save();
	await provider.interactionFinished( req, res, { consent: { grantId } }, { mergeWithLastSubmission: true } );
}

const callback = provider.callback();
const server = createServer( async ( req, res ) => {
	const match = /^\/interaction\/([^/?]+)(?:\/(login))?/.exec( req.url );
	if ( !match ) {
		callback( req, res );
		return;
	}
	try {
		await interaction( req, res, match[ 1 ], match[ 2 ] );
	} catch ( error ) {
		console.error( error );
		if ( !res.headersSent ) {
			res.writeHead( 400, { 'content-type': 'text/plain' } ).end( `interaction failed: ${ error.message }` );
		}
	}
} );
server.listen( Number( args.port ), '127.0.0.1', () => console.log( `oidc-provider listening on ${ issuer }` ) );
for ( const signal of [ 'SIGTERM', 'SIGINT' ] ) {
	process.on( signal, () => server.close( () => process.exit( 0 ) ) );
}
