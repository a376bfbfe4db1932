/**
 * The SSRF guard (src/util/safe-fetch.ts, its policy in address-policy.ts): private, loopback, link-local,
 * metadata and other special addresses are refused unless allow-listed; the
 * allow-list permits 127.0.0.1 for the local test server; redirects are
 * re-checked; the size cap; the DNS answer is pinned; magic-byte detection
 * of PNG/JPEG/GIF/WebP.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AllowList, forbiddenAddress, parseAllowList } from '../../src/util/address-policy.js';
import { decodeDataUrl, detectImageType } from '../../src/util/image-bytes.js';
import { SafeFetchError, checkUrl, safeFetch } from '../../src/util/safe-fetch.js';
import { GIF_1x1, JPEG_HEADER, PNG_1x1, WEBP_HEADER, startImageServer, type ImageServer } from '../helpers/images.js';

let images: ImageServer;
before(async () => {
  images = await startImageServer({ bigBytes: 3 * 1024 * 1024 });
});
after(() => images.close());

const allow = ['127.0.0.1'];

async function refused(p: Promise<unknown>, kind: SafeFetchError['kind'], pattern?: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof SafeFetchError, String(err));
    assert.equal(err.kind, kind, err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

describe('address policy', () => {
  it('refuses loopback, private, link-local, CGNAT, metadata, unspecified and multicast addresses', () => {
    const cases: Array<[string, RegExp]> = [
      ['127.0.0.1', /loopback/],
      ['127.1.2.3', /loopback/],
      ['::1', /loopback/],
      ['10.1.2.3', /private/],
      ['172.16.0.1', /private/],
      ['172.31.255.255', /private/],
      ['192.168.1.1', /private/],
      ['fc00::1', /private/],
      ['fd12:3456::1', /private/],
      ['169.254.10.1', /link-local/],
      ['fe80::1', /link-local/],
      ['100.64.0.1', /CGNAT/],
      ['100.127.255.255', /CGNAT/],
      ['169.254.169.254', /metadata/],
      ['fd00:ec2::254', /metadata/],
      ['0.0.0.0', /unspecified/],
      ['::', /unspecified/],
      ['224.0.0.1', /multicast/],
      ['ff02::1', /multicast/],
      ['255.255.255.255', /reserved/],
      ['::ffff:127.0.0.1', /loopback/],
      ['::ffff:a9fe:a9fe', /metadata/],
      ['64:ff9b::10.0.0.1', /private/],
    ];
    for (const [ip, why] of cases) assert.match(forbiddenAddress(ip) ?? 'allowed', why, ip);
  });

  it('refuses IPv6 forms that embed a non-public IPv4 address, naming the form', () => {
    const cases: Array<[string, RegExp]> = [
      // IPv4-mapped, -compatible and -translated (SIIT, ::ffff:0:0:0/96)
      ['::ffff:7f00:1', /^loopback \(127\.0\.0\.1 as IPv4-mapped\)$/],
      ['::127.0.0.1', /^loopback \(127\.0\.0\.1 as IPv4-compatible\)$/],
      ['::a9fe:a9fe', /^cloud metadata \(169\.254\.169\.254 as IPv4-compatible\)$/],
      ['::ffff:0:7f00:1', /^loopback \(127\.0\.0\.1 as IPv4-translated \(SIIT\)\)$/],
      ['::ffff:0:169.254.169.254', /^cloud metadata \(169\.254\.169\.254 as IPv4-translated \(SIIT\)\)$/],
      ['::ffff:0:a00:1', /^private \(10\.0\.0\.1 as IPv4-translated/],
      // NAT64, well-known prefix
      ['64:ff9b::7f00:1', /^loopback \(127\.0\.0\.1 as NAT64\)$/],
      ['64:ff9b::a9fe:a9fe', /^cloud metadata/],
      // 6to4: 2002:AABB:CCDD::
      ['2002:7f00:1::', /^loopback \(127\.0\.0\.1 as 6to4\)$/],
      ['2002:a9fe:a9fe::1', /^cloud metadata \(169\.254\.169\.254 as 6to4\)$/],
      ['2002:c0a8:101:1::1', /^private \(192\.168\.1\.1 as 6to4\)$/],
      ['2002:0:0::', /^unspecified \(0\.0\.0\.0 as 6to4\)$/],
      // Teredo 2001:0:server:flags:port:~client — the client address is stored inverted
      ['2001:0:7f00:1::', /^loopback \(127\.0\.0\.1 as Teredo server\)$/],
      ['2001:0:4136:e378:8000:63bf:80ff:fffe', /^loopback \(127\.0\.0\.1 as Teredo client\)$/],
      ['2001:0:4136:e378:8000:63bf:5601:5601', /^cloud metadata \(169\.254\.169\.254 as Teredo client\)$/],
      ['2001:0:4136:e378::f5ff:fffe', /^private \(10\.0\.0\.1 as Teredo client\)$/],
      // ISATAP interface ids under a global prefix
      ['2606:4700:1::5efe:7f00:1', /^loopback \(127\.0\.0\.1 as ISATAP\)$/],
      ['2606:4700:1:0:200:5efe:a9fe:a9fe', /^cloud metadata \(169\.254\.169\.254 as ISATAP\)$/],
      // Ranges refused outright: local-use NAT64, benchmarking, ORCHID, SRv6, the new documentation prefix
      ['64:ff9b:1::808:808', /^local-use NAT64$/],
      ['64:ff9b:1:ffff::7f00:1', /^local-use NAT64$/],
      ['2001:2::1', /^reserved$/],
      ['2001:10::1', /^reserved$/],
      ['5f00::1', /^reserved$/],
      ['3fff::1', /^documentation$/],
    ];
    for (const [ip, why] of cases) assert.match(forbiddenAddress(ip) ?? 'allowed', why, ip);
  });

  it('keeps the IPv6 forms of public IPv4 addresses reachable (IPv6-only networks reach IPv4 sites through NAT64)', () => {
    for (const ip of ['64:ff9b::808:808', '64:ff9b::93.184.216.34', '2002:808:808::1', '2001:0:4136:e378:8000:63bf:f7f7:f7f7', '::ffff:0:808:808', '2606:4700:1::5efe:808:808', '2001:4860:4860::8888']) {
      assert.equal(forbiddenAddress(ip), undefined, ip);
    }
  });

  it('refuses URLs whose host is such a form, and IPv4 hosts written in decimal, octal or hex', async () => {
    for (const url of ['http://[2002:7f00:1::]/a.png', 'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/a.png', 'http://[::ffff:0:a9fe:a9fe]/latest/meta-data/', 'http://[64:ff9b::7f00:1]:8080/', 'http://2130706433/a.png', 'http://0x7f.1/a.png', 'http://017700000001/a.png', 'http://169.254.43518/latest/']) {
      await refused(checkUrl(new URL(url)), 'refused', /address, which the server does not fetch/);
    }
    await refused(checkUrl(new URL('http://[2002:7f00:1::]/a.png')), 'refused', /^2002:7f00:1:: is a loopback \(127\.0\.0\.1 as 6to4\) address/);
    // A host name resolving to one of them is refused the same way.
    await refused(checkUrl(new URL('http://sneaky.example/'), { lookup: async () => [{ address: '2002:a9fe:a9fe::', family: 6 }] }), 'refused', /sneaky\.example \(2002:a9fe:a9fe::\) is a cloud metadata/);
  });

  it('allows public addresses', () => {
    for (const ip of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) assert.equal(forbiddenAddress(ip), undefined, ip);
  });

  it('refuses a host name that resolves to a private address, and one with any private address among several', async () => {
    await refused(checkUrl(new URL('http://intranet.example/x.png'), { lookup: async () => [{ address: '10.0.0.5', family: 4 }] }), 'refused', /intranet\.example \(10\.0\.0\.5\) is a private address/);
    await refused(
      checkUrl(new URL('http://mixed.example/x.png'), {
        lookup: async () => [
          { address: '93.184.216.34', family: 4 },
          { address: '127.0.0.1', family: 4 },
        ],
      }),
      'refused',
    );
    const ok = await checkUrl(new URL('https://cdn.example/x.png'), { lookup: async () => [{ address: '93.184.216.34', family: 4 }] });
    assert.equal(ok.address, '93.184.216.34');
  });

  it('the allow-list permits host names, addresses and CIDRs', async () => {
    const list = new AllowList(['Images.Internal', '10.0.0.0/8', '::1']);
    assert.equal(list.permitsHost('images.internal'), true);
    assert.equal(list.permitsAddress('10.9.8.7'), true);
    assert.equal(list.permitsAddress('::1'), true);
    assert.equal(list.permitsAddress('192.168.0.1'), false);
    const lookup = async () => [{ address: '192.168.0.9', family: 4 }];
    assert.equal((await checkUrl(new URL('http://images.internal/a.png'), { allow: ['images.internal'], lookup })).address, '192.168.0.9');
    await refused(checkUrl(new URL('http://other.internal/a.png'), { allow: ['images.internal'], lookup }), 'refused');
    assert.deepEqual(parseAllowList(' 127.0.0.1, 10.0.0.0/8  images.internal '), ['127.0.0.1', '10.0.0.0/8', 'images.internal']);
    assert.throws(() => parseAllowList('10.0.0.0/99'), /not a CIDR/);
  });

  it('refuses other schemes and URLs with credentials', async () => {
    await refused(checkUrl(new URL('ftp://example.com/a.png')), 'refused', /only http and https/);
    await refused(checkUrl(new URL('file:///etc/passwd')), 'refused');
    await refused(checkUrl(new URL('http://user:pw@example.com/a.png')), 'refused', /credentials/);
  });
});

describe('safeFetch', () => {
  it('refuses the loopback test server without the allow-list, fetches it with it', async () => {
    await refused(safeFetch(`${images.url}/cat.png`), 'refused', /loopback/);
    const got = await safeFetch(`${images.url}/cat.png`, { allow });
    assert.deepEqual(got.bytes, PNG_1x1);
    assert.equal(got.url, `${images.url}/cat.png`);
  });

  it('refuses the cloud metadata address and private addresses without connecting', async () => {
    await refused(safeFetch('http://169.254.169.254/latest/meta-data/'), 'refused', /metadata/);
    await refused(safeFetch('http://[fd00:ec2::254]/latest/meta-data/'), 'refused', /metadata/);
    await refused(safeFetch('http://10.0.0.1/a.png'), 'refused', /private/);
    await refused(safeFetch('http://0.0.0.0:1/a.png'), 'refused', /unspecified/);
  });

  it('follows redirects, re-checking each target: a redirect to a private address is refused', async () => {
    const ok = await safeFetch(`${images.url}/redirect?to=/anim.gif`, { allow });
    assert.deepEqual(ok.bytes, GIF_1x1);
    assert.equal(ok.url, `${images.url}/anim.gif`);
    await refused(safeFetch(`${images.url}/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`, { allow }), 'refused', /metadata/);
    await refused(safeFetch(`${images.url}/redirect?to=${encodeURIComponent('http://10.1.1.1/x.png')}`, { allow }), 'refused', /private/);
    await refused(safeFetch(`${images.url}/loop`, { allow }), 'failed', /more than 5 redirects/);
  });

  it('cuts a body over the size cap, declared or streamed', async () => {
    await refused(safeFetch(`${images.url}/big.png`, { allow, maxBytes: 1024 * 1024 }), 'too_large');
    await refused(safeFetch(`${images.url}/photo.jpg`, { allow, maxBytes: 10 }), 'too_large', /over the limit of 10/);
    const whole = await safeFetch(`${images.url}/big.png`, { allow, maxBytes: 4 * 1024 * 1024 });
    assert.equal(whole.bytes.byteLength, 3 * 1024 * 1024);
  });

  it('fails on HTTP errors and on deadlines', async () => {
    await refused(safeFetch(`${images.url}/missing`, { allow }), 'failed', /HTTP 404/);
    const slow = createServer(() => {}); // never answers
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    try {
      const { port } = slow.address() as AddressInfo;
      await refused(safeFetch(`http://127.0.0.1:${port}/a.png`, { allow, timeoutMs: 150 }), 'failed', /within 150 ms/);
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
  });

  it('connects to the address that was checked (no second DNS lookup)', async () => {
    let lookups = 0;
    const { port } = new URL(images.url);
    const got = await safeFetch(`http://pinned.test:${port}/cat.png`, {
      allow: ['pinned.test'],
      lookup: async () => {
        lookups++;
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    assert.deepEqual(got.bytes, PNG_1x1);
    assert.equal(lookups, 1);
  });
});

describe('image detection', () => {
  it('detects PNG, JPEG, GIF and WebP by their magic bytes', () => {
    assert.equal(detectImageType(PNG_1x1), 'image/png');
    assert.equal(detectImageType(JPEG_HEADER), 'image/jpeg');
    assert.equal(detectImageType(GIF_1x1), 'image/gif');
    assert.equal(detectImageType(Buffer.from('GIF87a')), 'image/gif');
    assert.equal(detectImageType(WEBP_HEADER), 'image/webp');
  });

  it('refuses everything else, whatever it is called', () => {
    assert.equal(detectImageType(Buffer.from('just some text, not an image')), undefined);
    assert.equal(detectImageType(Buffer.from('%PDF-1.7')), undefined);
    assert.equal(detectImageType(Buffer.from('RIFF\x1a\x00\x00\x00WAVEfmt ')), undefined, 'a WAV is RIFF but not WEBP');
    assert.equal(detectImageType(Buffer.from([0x89, 0x50, 0x4e, 0x47])), undefined, 'a truncated PNG signature');
    assert.equal(detectImageType(Buffer.alloc(0)), undefined);
  });

  it('decodes base64 data: URLs', () => {
    const d = decodeDataUrl(`data:image/png;base64,${PNG_1x1.toString('base64')}`);
    assert.equal(d?.mediaType, 'image/png');
    assert.deepEqual(d?.bytes, PNG_1x1);
    assert.equal(decodeDataUrl('data:image/png,not-base64'), undefined);
    assert.equal(decodeDataUrl('data:image/png;base64,@@@'), undefined);
  });
});
