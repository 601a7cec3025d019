import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction, Socket } from 'node:net';
import { getCACertificates, rootCertificates } from 'node:tls';
import { Agent, buildConnector } from 'undici';
import { ToolDeniedError } from '../../errors/index.ts';
import { bareHost, classifyAddress, isIpLiteral } from './address-policy.ts';

/** Resolves a host name to every address it has (injectable so tests can script DNS answers). */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolve: ResolveHost = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

export interface GuardOptions {
  /** True for a host an explicit rule lets reach private addresses (the permission policy decides). */
  allowsPrivateHost(host: string): boolean;
  resolve?: ResolveHost;
  connectTimeoutMs: number;
  /**
   * Certificates (PEM) trusted besides the default CAs: the tests' self-signed server. Users with a
   * private CA have Node's NODE_EXTRA_CA_CERTS, which the default store already includes.
   */
  trustedCertificates?: readonly string[];
}

/** Refusal of a destination by the SSRF guard: a denial the model sees, with what would allow it. */
export function refusal(host: string, address: string, range: string): ToolDeniedError {
  const shown = address === host ? host : `${host} (${address})`;
  return new ToolDeniedError(
    `WebFetch refused ${shown}: the address is ${range}, which WebFetch never connects to on its own.`,
    `Fetch public http(s) URLs only. If this host really must be reachable, the user can allow it with a permission rule such as WebFetch(domain:${host}).`,
  );
}

/** Throws when `hostname` is an IP literal the guard refuses (checked before any connection is made). */
export function checkLiteralHost(hostname: string, options: Pick<GuardOptions, 'allowsPrivateHost'>): void {
  const host = bareHost(hostname);
  if (!isIpLiteral(host) || options.allowsPrivateHost(host)) return;
  const verdict = classifyAddress(host);
  if (!verdict.allowed) throw refusal(host, host, verdict.range);
}

/**
 * An undici dispatcher whose every connection is checked where it is made: the DNS answer used for
 * the connection itself is classified (all of its addresses: one private address refuses the name,
 * so happy-eyeballs cannot fall back to it), which is what defeats DNS rebinding — there is no
 * earlier "check" resolution for a second answer to differ from. The connected socket's peer address
 * is checked again before a byte of the request is written.
 */
export function createGuardedAgent(options: GuardOptions): Agent {
  const resolve = options.resolve ?? systemResolve;
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    const host = bareHost(hostname);
    resolve(host).then(
      (addresses) => {
        if (!options.allowsPrivateHost(host)) {
          for (const { address } of addresses) {
            const verdict = classifyAddress(address);
            if (!verdict.allowed) return callback(refusal(host, address, verdict.range), '', 0);
          }
        }
        const usable = lookupOptions.family
          ? addresses.filter((a) => a.family === lookupOptions.family)
          : addresses;
        if (usable.length === 0) {
          const error = Object.assign(new Error(`No address found for ${host}`), { code: 'ENOTFOUND' });
          return callback(error, '', 0);
        }
        if (lookupOptions.all) return (callback as unknown as AllCallback)(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, '', 0),
    );
  };
  const connect = buildConnector({
    timeout: options.connectTimeoutMs,
    lookup,
    ...(options.trustedCertificates?.length
      ? // `ca` replaces the default store: keep it, and add to it.
        { ca: [...(getCACertificates?.('default') ?? rootCertificates), ...options.trustedCertificates] }
      : {}),
  });
  return new Agent({
    connect(connectOptions, callback) {
      try {
        checkLiteralHost(connectOptions.hostname, options);
      } catch (error) {
        return callback(error as Error, null);
      }
      connect(connectOptions, (error, socket) => {
        if (error || !socket) return callback(error ?? new Error('connection failed'), null);
        const peer = verifyPeer(socket, connectOptions.hostname, options);
        if (peer) {
          socket.destroy();
          return callback(peer, null);
        }
        callback(null, socket);
      });
    },
  });
}

type AllCallback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

function verifyPeer(socket: Socket, hostname: string, options: GuardOptions): Error | undefined {
  const host = bareHost(hostname);
  if (options.allowsPrivateHost(host)) return undefined;
  const address = socket.remoteAddress;
  if (!address) return new ToolDeniedError(`WebFetch could not verify the address of ${host}.`);
  const verdict = classifyAddress(address);
  return verdict.allowed ? undefined : refusal(host, address, verdict.range);
}
