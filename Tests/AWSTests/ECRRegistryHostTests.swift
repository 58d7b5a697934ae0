import AWS
import XCTest

/// ECR registry host names → account and region, and the API endpoint of a region.
final class ECRRegistryHostTests: XCTestCase {
    func testPrivateRegistryHostNamesItsAccountAndRegion() {
        XCTAssertEqual(ECRRegistryHost("123456789012.dkr.ecr.eu-west-1.amazonaws.com"),
                       ECRRegistryHost(accountID: "123456789012", region: "eu-west-1"))
    }

    func testPortSchemePathAndCaseAreIgnored() {
        XCTAssertEqual(ECRRegistryHost("https://123456789012.DKR.ECR.us-east-2.amazonaws.com:443/team/app")?.region, "us-east-2")
    }

    func testFipsAndChinaHostsParse() {
        XCTAssertEqual(ECRRegistryHost("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com"),
                       ECRRegistryHost(accountID: "123456789012", region: "us-gov-west-1", fips: true))
        XCTAssertEqual(ECRRegistryHost("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn")?.region, "cn-north-1")
    }

    func testOtherHostsAreNotECRRegistries() {
        for host in ["docker.io", "127.0.0.1:5000", "public.ecr.aws", "12345.dkr.ecr.us-east-1.amazonaws.com",
                     "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example", "123456789012.dkr.ecr..amazonaws.com",
                     "abcdefghijkl.dkr.ecr.us-east-1.amazonaws.com", "vpce-0a1b.api.ecr.us-east-1.vpce.amazonaws.com"] {
            XCTAssertNil(ECRRegistryHost(host), host)
        }
    }

    func testAPIEndpointOfARegion() {
        XCTAssertEqual(ECRRegistryHost.apiEndpoint(region: "eu-west-1"), "https://api.ecr.eu-west-1.amazonaws.com")
        XCTAssertEqual(ECRRegistryHost.apiEndpoint(region: "cn-north-1"), "https://api.ecr.cn-north-1.amazonaws.com.cn")
        XCTAssertEqual(ECRRegistryHost.apiEndpoint(region: "us-east-1", fips: true), "https://ecr-fips.us-east-1.amazonaws.com")
    }

    func testPublicECRHostIsECRPublicWhateverItsSpelling() {
        for host in ["public.ecr.aws", "PUBLIC.ECR.AWS", "https://public.ecr.aws/", "public.ecr.aws:443", "public.ecr.aws/alias/app"] {
            XCTAssertEqual(ECRRegistryKind(host), .public, host)
            XCTAssertEqual(ECRRegistryKind(host).service, .public, host)
        }
    }

    func testPrivateRegistryHostIsPrivateECRWithItsAccountAndRegion() {
        let kind = ECRRegistryKind("123456789012.dkr.ecr.eu-west-1.amazonaws.com")
        XCTAssertEqual(kind, .private(ECRRegistryHost(accountID: "123456789012", region: "eu-west-1")))
        XCTAssertEqual(kind.service, .private)
    }

    func testAnyOtherHostIsPrivateECRWithTheConfiguredRegion() {
        for host in ["mirror.internal:5000", "127.0.0.1:5000", "public.ecr.aws.evil.example", "ecr.aws", "gallery.ecr.aws"] {
            XCTAssertEqual(ECRRegistryKind(host), .private(nil), host)
        }
    }
}
