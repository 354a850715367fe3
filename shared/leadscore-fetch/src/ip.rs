//! Pure classification of IP addresses for the SSRF guard.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What kind of address an [`IpAddr`] is, from the fetcher's point of view.
///
/// Only [`IpClass::Public`] may be connected to unless the caller opted in to
/// private networks. IPv4-mapped, IPv4-compatible, NAT64 and 6to4 IPv6
/// addresses are classified by the IPv4 address they embed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IpClass {
    /// Globally routable unicast.
    Public,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// RFC 1918 (`10/8`, `172.16/12`, `192.168/16`) and deprecated IPv6 site-local `fec0::/10`.
    Private,
    /// Carrier-grade NAT shared space `100.64.0.0/10` (RFC 6598).
    SharedAddressSpace,
    /// `169.254.0.0/16` (includes the cloud metadata endpoint) and `fe80::/10`.
    LinkLocal,
    /// IPv6 unique-local `fc00::/7` (includes `fd00:ec2::254`).
    UniqueLocal,
    /// `224.0.0.0/4`, `ff00::/8`.
    Multicast,
    /// `0.0.0.0`, `::`.
    Unspecified,
    /// `255.255.255.255`.
    Broadcast,
    /// `0.0.0.0/8` ("this network").
    ThisNetwork,
    /// Documentation ranges: `192.0.2/24`, `198.51.100/24`, `203.0.113/24`, `2001:db8::/32`, `3fff::/20`.
    Documentation,
    /// Benchmarking ranges: `198.18.0.0/15`, `2001:2::/48`.
    Benchmarking,
    /// A cloud provider's instance metadata or host service, whatever
    /// range it is in: `169.254.169.254` (AWS, GCP, Azure, OpenStack),
    /// `169.254.170.2` and `169.254.170.23` (ECS task credentials, EKS Pod
    /// Identity), `fd00:ec2::254` and `fd00:ec2::23` (AWS), `fd20:ce::254`
    /// (GCP), `fe80::a9fe:a9fe` (OpenStack), `100.100.100.200`
    /// (Alibaba), `192.0.0.192` (Oracle) and `168.63.129.16` (Azure's
    /// WireServer, a public address). Never connectable, not even with the
    /// private-network opt-in: it hands out the host's credentials.
    CloudMetadata,
    /// Anything else that is not global unicast: `240/4`, `192.0.0/24`,
    /// `192.88.99/24`, `2001::/23`, `100::/64`, everything outside `2000::/3`.
    Reserved,
}

impl IpClass {
    /// Whether an address of this class is globally routable.
    pub fn is_public(self) -> bool {
        self == IpClass::Public
    }

    /// Whether an address of this class can never be a unicast destination,
    /// even when private networks are allowed.
    pub fn is_never_connectable(self) -> bool {
        matches!(
            self,
            IpClass::Multicast | IpClass::Unspecified | IpClass::Broadcast | IpClass::CloudMetadata
        )
    }
}

impl std::fmt::Display for IpClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = match self {
            IpClass::Public => "public",
            IpClass::Loopback => "loopback",
            IpClass::Private => "private (RFC 1918)",
            IpClass::SharedAddressSpace => "shared address space (CGNAT)",
            IpClass::LinkLocal => "link-local",
            IpClass::UniqueLocal => "unique-local",
            IpClass::Multicast => "multicast",
            IpClass::Unspecified => "unspecified",
            IpClass::Broadcast => "broadcast",
            IpClass::ThisNetwork => "this-network (0.0.0.0/8)",
            IpClass::Documentation => "documentation",
            IpClass::Benchmarking => "benchmarking",
            IpClass::CloudMetadata => "cloud metadata service",
            IpClass::Reserved => "reserved",
        };
        f.write_str(s)
    }
}

/// Classify an IP address. Pure, total, and the single source of truth for
/// which addresses the fetcher may connect to.
pub fn classify_ip(ip: IpAddr) -> IpClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn in_v4(ip: u32, net: [u8; 4], prefix: u32) -> bool {
    let net = u32::from_be_bytes(net);
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    ip & mask == net & mask
}

/// The cloud metadata and host-service addresses of [`IpClass::CloudMetadata`].
const METADATA_V4: [[u8; 4]; 6] = [
    [169, 254, 169, 254],
    [169, 254, 170, 2],
    [169, 254, 170, 23],
    [100, 100, 100, 200],
    [192, 0, 0, 192],
    [168, 63, 129, 16],
];

/// The IPv6 ones: `fd00:ec2::254`, `fd00:ec2::23` (AWS), `fd20:ce::254`
/// (GCP, for IPv6-only VMs) and `fe80::a9fe:a9fe` (OpenStack's IPv6
/// metadata proxy).
const METADATA_V6: [[u16; 8]; 4] = [
    [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254],
    [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23],
    [0xfd20, 0xce, 0, 0, 0, 0, 0, 0x254],
    [0xfe80, 0, 0, 0, 0, 0, 0xa9fe, 0xa9fe],
];

fn classify_v4(ip: Ipv4Addr) -> IpClass {
    let n = u32::from(ip);
    if METADATA_V4.contains(&ip.octets()) {
        IpClass::CloudMetadata
    } else if n == 0 {
        IpClass::Unspecified
    } else if n == u32::MAX {
        IpClass::Broadcast
    } else if in_v4(n, [0, 0, 0, 0], 8) {
        IpClass::ThisNetwork
    } else if in_v4(n, [127, 0, 0, 0], 8) {
        IpClass::Loopback
    } else if in_v4(n, [10, 0, 0, 0], 8)
        || in_v4(n, [172, 16, 0, 0], 12)
        || in_v4(n, [192, 168, 0, 0], 16)
    {
        IpClass::Private
    } else if in_v4(n, [100, 64, 0, 0], 10) {
        IpClass::SharedAddressSpace
    } else if in_v4(n, [169, 254, 0, 0], 16) {
        IpClass::LinkLocal
    } else if in_v4(n, [192, 0, 2, 0], 24)
        || in_v4(n, [198, 51, 100, 0], 24)
        || in_v4(n, [203, 0, 113, 0], 24)
    {
        IpClass::Documentation
    } else if in_v4(n, [198, 18, 0, 0], 15) {
        IpClass::Benchmarking
    } else if in_v4(n, [224, 0, 0, 0], 4) {
        IpClass::Multicast
    } else if in_v4(n, [240, 0, 0, 0], 4)
        || in_v4(n, [192, 0, 0, 0], 24)
        || in_v4(n, [192, 88, 99, 0], 24)
    {
        IpClass::Reserved
    } else {
        IpClass::Public
    }
}

fn in_v6(ip: u128, net: Ipv6Addr, prefix: u32) -> bool {
    let net = u128::from(net);
    let mask = if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - prefix)
    };
    ip & mask == net & mask
}

fn v6(segments: [u16; 8]) -> Ipv6Addr {
    let [a, b, c, d, e, f, g, h] = segments;
    Ipv6Addr::new(a, b, c, d, e, f, g, h)
}

fn classify_v6(ip: Ipv6Addr) -> IpClass {
    let n = u128::from(ip);
    if n == 0 {
        return IpClass::Unspecified;
    }
    if n == 1 {
        return IpClass::Loopback;
    }
    if METADATA_V6.contains(&ip.segments()) {
        return IpClass::CloudMetadata;
    }
    // Low 32 bits as an IPv4 address, for the embedding forms.
    let low_v4 = Ipv4Addr::from((n & 0xffff_ffff) as u32);
    // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (deprecated compatible).
    if n >> 32 == 0xffff || n >> 32 == 0 {
        return classify_v4(low_v4);
    }
    // NAT64 well-known prefix 64:ff9b::/96 embeds an IPv4 address.
    if in_v6(n, v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0]), 96) {
        return classify_v4(low_v4);
    }
    // 6to4 2002::/16 embeds the IPv4 address in bits 16..48.
    if in_v6(n, v6([0x2002, 0, 0, 0, 0, 0, 0, 0]), 16) {
        let embedded = Ipv4Addr::from(((n >> 80) & 0xffff_ffff) as u32);
        return classify_v4(embedded);
    }
    if in_v6(n, v6([0xff00, 0, 0, 0, 0, 0, 0, 0]), 8) {
        IpClass::Multicast
    } else if in_v6(n, v6([0xfe80, 0, 0, 0, 0, 0, 0, 0]), 10) {
        IpClass::LinkLocal
    } else if in_v6(n, v6([0xfec0, 0, 0, 0, 0, 0, 0, 0]), 10) {
        IpClass::Private
    } else if in_v6(n, v6([0xfc00, 0, 0, 0, 0, 0, 0, 0]), 7) {
        IpClass::UniqueLocal
    } else if in_v6(n, v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]), 32)
        || in_v6(n, v6([0x3fff, 0, 0, 0, 0, 0, 0, 0]), 20)
    {
        IpClass::Documentation
    } else if in_v6(n, v6([0x2001, 0x2, 0, 0, 0, 0, 0, 0]), 48) {
        IpClass::Benchmarking
    } else if in_v6(n, v6([0x2001, 0, 0, 0, 0, 0, 0, 0]), 23)
        || in_v6(n, v6([0x100, 0, 0, 0, 0, 0, 0, 0]), 64)
        || in_v6(n, v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0]), 48)
        || !in_v6(n, v6([0x2000, 0, 0, 0, 0, 0, 0, 0]), 3)
    {
        IpClass::Reserved
    } else {
        IpClass::Public
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> IpClass {
        classify_ip(s.parse().unwrap())
    }

    #[test]
    fn ipv4_ranges() {
        let table = [
            ("8.8.8.8", IpClass::Public),
            ("1.1.1.1", IpClass::Public),
            ("93.184.216.34", IpClass::Public),
            ("0.0.0.0", IpClass::Unspecified),
            ("0.1.2.3", IpClass::ThisNetwork),
            ("127.0.0.1", IpClass::Loopback),
            ("127.255.255.254", IpClass::Loopback),
            ("10.0.0.1", IpClass::Private),
            ("10.255.255.255", IpClass::Private),
            ("172.16.0.1", IpClass::Private),
            ("172.31.255.255", IpClass::Private),
            ("172.32.0.1", IpClass::Public),
            ("172.15.255.255", IpClass::Public),
            ("192.168.1.1", IpClass::Private),
            ("100.64.0.1", IpClass::SharedAddressSpace),
            ("100.127.255.255", IpClass::SharedAddressSpace),
            ("100.128.0.1", IpClass::Public),
            ("100.63.255.255", IpClass::Public),
            ("169.254.169.254", IpClass::CloudMetadata),
            ("169.254.170.2", IpClass::CloudMetadata),
            ("169.254.170.23", IpClass::CloudMetadata),
            ("100.100.100.200", IpClass::CloudMetadata),
            ("192.0.0.192", IpClass::CloudMetadata),
            ("168.63.129.16", IpClass::CloudMetadata),
            ("168.63.129.17", IpClass::Public),
            ("169.254.169.253", IpClass::LinkLocal),
            ("169.254.0.1", IpClass::LinkLocal),
            ("192.0.2.1", IpClass::Documentation),
            ("198.51.100.7", IpClass::Documentation),
            ("203.0.113.9", IpClass::Documentation),
            ("198.18.0.1", IpClass::Benchmarking),
            ("198.19.255.255", IpClass::Benchmarking),
            ("198.20.0.1", IpClass::Public),
            ("224.0.0.1", IpClass::Multicast),
            ("239.255.255.250", IpClass::Multicast),
            ("240.0.0.1", IpClass::Reserved),
            ("255.255.255.255", IpClass::Broadcast),
            ("192.0.0.8", IpClass::Reserved),
            ("192.88.99.1", IpClass::Reserved),
        ];
        for (ip, want) in table {
            assert_eq!(c(ip), want, "{ip}");
        }
    }

    #[test]
    fn ipv6_ranges() {
        let table = [
            ("2606:4700:4700::1111", IpClass::Public),
            ("2a00:1450:4001:80b::200e", IpClass::Public),
            ("::", IpClass::Unspecified),
            ("::1", IpClass::Loopback),
            ("fe80::1", IpClass::LinkLocal),
            ("febf::1", IpClass::LinkLocal),
            ("fec0::1", IpClass::Private),
            ("fc00::1", IpClass::UniqueLocal),
            ("fd00:ec2::254", IpClass::CloudMetadata),
            ("fd00:ec2::23", IpClass::CloudMetadata),
            ("fd20:ce::254", IpClass::CloudMetadata),
            ("fe80::a9fe:a9fe", IpClass::CloudMetadata),
            ("fe80::a9fe:a9ff", IpClass::LinkLocal),
            ("fd00:ec2::255", IpClass::UniqueLocal),
            ("fdff:ffff::1", IpClass::UniqueLocal),
            ("ff02::1", IpClass::Multicast),
            ("2001:db8::1", IpClass::Documentation),
            ("3fff::1", IpClass::Documentation),
            ("2001:2::1", IpClass::Benchmarking),
            ("2001::1", IpClass::Reserved),
            ("100::1", IpClass::Reserved),
            ("4000::1", IpClass::Reserved),
            ("64:ff9b:1::1", IpClass::Reserved),
        ];
        for (ip, want) in table {
            assert_eq!(c(ip), want, "{ip}");
        }
    }

    #[test]
    fn ipv6_embedding_ipv4_is_classified_by_the_embedded_address() {
        let table = [
            ("::ffff:127.0.0.1", IpClass::Loopback),
            ("::ffff:7f00:1", IpClass::Loopback),
            ("::ffff:169.254.169.254", IpClass::CloudMetadata),
            ("::ffff:168.63.129.16", IpClass::CloudMetadata),
            ("::ffff:10.0.0.1", IpClass::Private),
            ("::ffff:8.8.8.8", IpClass::Public),
            ("::127.0.0.1", IpClass::Loopback),
            ("::10.1.2.3", IpClass::Private),
            ("::8.8.8.8", IpClass::Public),
            ("::ffff:0.0.0.0", IpClass::Unspecified),
            ("64:ff9b::127.0.0.1", IpClass::Loopback),
            ("64:ff9b::a9fe:a9fe", IpClass::CloudMetadata),
            ("64:ff9b::8.8.8.8", IpClass::Public),
            ("2002:7f00:1::", IpClass::Loopback),
            ("2002:a9fe:a9fe::1", IpClass::CloudMetadata),
            ("2002:c0a8:0101::1", IpClass::Private),
            ("2002:0808:0808::1", IpClass::Public),
        ];
        for (ip, want) in table {
            assert_eq!(c(ip), want, "{ip}");
        }
    }

    #[test]
    fn only_public_is_public() {
        assert!(IpClass::Public.is_public());
        assert!(!IpClass::Loopback.is_public());
        assert!(IpClass::Multicast.is_never_connectable());
        assert!(!IpClass::Private.is_never_connectable());
    }
}
