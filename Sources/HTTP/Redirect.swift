/// How a followed redirect changes the next exchange (RFC 9110 §15.4).
extension Exchange {
    /// The exchange sent to `target` after a `status` redirect. Credentials go only to the origin
    /// they were given for: once the chain leaves the original request's origin (scheme, host or
    /// port differ), `Authorization` and `Cookie` are dropped and stay dropped — a registry's
    /// token must never reach the blob storage (S3, CDN) it redirects to.
    func redirected(status: Int, to target: RequestTarget, originalOrigin: String) -> Exchange {
        var next = self
        next.target = target
        let upper = method.uppercased()
        if (status == 303 && upper != "HEAD") || ((status == 301 || status == 302) && upper == "POST") {
            next.method = "GET"
            next.body = .none
            next.headers.set("Content-Type", nil)
        }
        if target.origin != originalOrigin {
            next.headers.set("Authorization", nil)
            next.headers.set("Cookie", nil)
        }
        return next
    }
}
