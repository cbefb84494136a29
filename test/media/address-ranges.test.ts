import { nonPublicAddressKind } from '../../src/media/address-ranges';

describe('nonPublicAddressKind', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.20.30.40', 'private'],
    ['172.31.255.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'shared (carrier-grade NAT)'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved or broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fd12:3456::1', 'unique local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:c0a8:101::1', 'private'],
  ])('%s is %s', (address, kind) => {
    expect(nonPublicAddressKind(address)).toBe(kind);
  });

  it.each(['8.8.8.8', '172.32.0.1', '104.18.2.3', '2606:4700::1111', '2a00:1450:4001:81b::200e', '64:ff9b::8.8.8.8'])(
    '%s is public',
    (address) => {
      expect(nonPublicAddressKind(address)).toBeNull();
    },
  );
});

describe('nonPublicAddressKind on addresses that route to an embedded IPv4 address', () => {
  it('refuses anything that is not an IP address, such as a host name', () => {
    expect(nonPublicAddressKind('localhost')).toBe('not an IP address');
    expect(nonPublicAddressKind('10.0.0.1.example.com')).toBe('not an IP address');
  });

  it('reads a NAT64 address high group first: 64:ff9b::7f00:1 is 127.0.0.1, not 0.1.127.0', () => {
    expect(nonPublicAddressKind('64:ff9b::7f00:1')).toBe('loopback');
    expect(nonPublicAddressKind('64:ff9b:0:0:0:0:c0a8:0101')).toBe('private');
  });

  it('takes only 64:ff9b::/96 for NAT64: other groups before the IPv4 part make it a public address', () => {
    expect(nonPublicAddressKind('64:ff9b:1::7f00:1')).toBeNull();
    expect(nonPublicAddressKind('64:ff9b:0:0:0:1:7f00:1')).toBeNull();
    expect(nonPublicAddressKind('65:ff9b::7f00:1')).toBeNull();
    expect(nonPublicAddressKind('64:ff9a::7f00:1')).toBeNull();
  });

  it('reads a 6to4 address from its second and third groups', () => {
    expect(nonPublicAddressKind('2002:7f00:1::')).toBe('loopback');
    expect(nonPublicAddressKind('2002:a9fe:a9fe::1')).toBe('link-local');
    expect(nonPublicAddressKind('2002:0808:0808::1')).toBeNull();
    expect(nonPublicAddressKind('2003:7f00:1::')).toBeNull();
  });

  it('reads a fully written address, a zone id and a dotted IPv4 tail alike', () => {
    expect(nonPublicAddressKind('2002:c0a8:0101:0:0:0:0:1')).toBe('private');
    expect(nonPublicAddressKind('64:ff9b::127.0.0.1%eth0')).toBe('loopback');
    expect(nonPublicAddressKind('64:ff9b::8.8.4.4')).toBeNull();
  });
});
