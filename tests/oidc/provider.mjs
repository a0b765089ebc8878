// A real OpenID Provider for the tests: the `oidc-provider` package (certified OpenID
// Connect implementation) on 127.0.0.1 and a free port, with two additions for tests only:
//
// - No login form: the next person to "log in" is set by the test with
//   POST /__test/login {sub, email, email_verified, name, groups, amr, acr}; consent is given at once
//   (or, with deny: true, the person declines: the provider answers access_denied).
// - Faults: POST /__test/fault {mode} makes the token endpoint hand out an ID token that is
//   re-signed with the provider's own key but has the wrong nonce ("nonce"), the wrong
//   audience ("aud"), an expiry in the past ("expired"), or is signed with a key the provider
//   does not publish ("signature"); mode "" hands out what the provider made.
//
// Started by tests/oidc/conftest.py with CLIENTS (JSON list of client metadata) in the
// environment; prints "READY <issuer>" once listening. Stops when stdin closes.
import http from 'node:http';
import * as jose from 'jose';
import Provider from 'oidc-provider';

const clients = JSON.parse(process.env.CLIENTS || '[]');

const { privateKey, publicKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await jose.exportJWK(privateKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
const strangerKey = (await jose.generateKeyPair('RS256')).privateKey;

const accounts = new Map();
let nextLogin = null;
let fault = '';

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingJwk] },
  cookies: { keys: ['test-only-cookie-key'] },
  claims: {
    acr: null, amr: null, auth_time: null, iss: null, sid: null,
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
    groups: ['groups'],
  },
  conformIdTokenClaims: false, // the claims asked for by scope go into the ID token too
  acrValues: ['urn:test:loa:1', 'urn:test:loa:2'],
  features: { devInteractions: { enabled: false }, claimsParameter: { enabled: true } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const account = accounts.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        const { amr, acr, ...claims } = account;
        return claims;
      },
    };
  },
});

function readJson(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => { try { resolve(JSON.parse(data || '{}')); } catch (e) { reject(e); } });
  });
}

async function resign(idToken) {
  const claims = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  let key = privateKey;
  if (fault === 'nonce') claims.nonce = 'not-the-nonce-you-sent';
  if (fault === 'aud') claims.aud = 'some-other-client';
  if (fault === 'expired') { claims.iat = now - 7200; claims.exp = now - 3600; }
  if (fault === 'signature') key = strangerKey;
  return new jose.SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: signingJwk.kid, typ: 'JWT' })
    .sign(key);
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/login' && ctx.method === 'POST') {
    nextLogin = await readJson(ctx.req);
    accounts.set(nextLogin.sub, nextLogin);
    ctx.body = { ok: true };
    return;
  }
  if (ctx.path === '/__test/fault' && ctx.method === 'POST') {
    fault = (await readJson(ctx.req)).mode || '';
    ctx.body = { ok: true };
    return;
  }
  const interaction = ctx.path.match(/^\/interaction\/([^/]+)$/);
  if (interaction && ctx.method === 'GET') {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    let result;
    if (details.prompt.name === 'login') {
      if (!nextLogin) {
        ctx.status = 400;
        ctx.body = 'No test login was set (POST /__test/login first).';
        return;
      }
      result = nextLogin.deny
        ? { error: 'access_denied', error_description: 'The person declined' }
        : { login: { accountId: nextLogin.sub, amr: nextLogin.amr, acr: nextLogin.acr } };
    } else {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId,
                               clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      result = { consent: { grantId: await grant.save() } };
    }
    ctx.respond = false;
    await provider.interactionFinished(ctx.req, ctx.res, result,
                                       { mergeWithLastSubmission: details.prompt.name !== 'login' });
    return;
  }
  await next();
  if (ctx.path === '/token' && fault && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: await resign(ctx.body.id_token) };
  }
});

server.on('request', provider.callback());
process.stdout.write(`READY ${issuer}\n`);
process.stdin.resume();
process.stdin.on('end', () => { server.close(); process.exit(0); });
