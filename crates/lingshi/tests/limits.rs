//! What a production node promises at its edge, checked on the running binary: HSTS and the
//! security headers when its public URL is https, `Secure` session cookies, a bounded number
//! of connections served at once, and a client that trickles its headers cut off.

mod support;

use std::time::Duration;
use support::{PASSWORD, create_staff, free_port, serve_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CONNECTIONS: usize = 4;

/// Whether the server closes `stream` (end of file or reset) before `patience` runs out,
/// reading and dropping whatever it sends first.
async fn closed_by_server(stream: &mut TcpStream, patience: Duration) -> bool {
    let mut buffer = [0u8; 512];
    let read_until_closed = async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(patience, read_until_closed).await.is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_production_node_sends_hsts_secure_cookies_and_bounds_its_connections() {
    let data = std::env::temp_dir().join(format!("lingshi-limits-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let port = free_port();
    let connections = CONNECTIONS.to_string();
    let variables = [("LINGSHI_PUBLIC_URL", "https://consular.example"), ("LINGSHI_MAX_CONNECTIONS", &connections)];
    let mut server = serve_with(&data, port, &variables).await;
    create_staff(&data);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");

    let health = client.get(format!("{base}/healthz")).send().await.expect("health");
    let header = |name: &str| health.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(header("strict-transport-security"), "max-age=31536000; includeSubDomains");
    assert!(header("content-security-policy").contains("default-src 'self'"));
    assert_eq!(header("x-frame-options"), "DENY");

    let login = client
        .post(format!("{base}/staff/login"))
        .header("origin", &base)
        .form(&[("username", "notice.writer"), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    let cookies: Vec<_> = login.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).collect();
    assert!(!cookies.is_empty(), "signing in sets the session cookie");
    assert!(cookies.iter().all(|c| c.contains("Secure") && c.contains("HttpOnly")), "{cookies:?}");

    // Connections beyond the limit wait to be accepted: with four idle ones open, a request
    // on a new connection is not answered; once they close, it is.
    drop(client);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .pool_max_idle_per_host(0)
        .build()
        .expect("a client that opens a new connection per request");
    let mut idle = Vec::new();
    for _ in 0..CONNECTIONS {
        idle.push(TcpStream::connect(("127.0.0.1", port)).await.expect("connect"));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let waiting = client.get(format!("{base}/healthz")).send().await;
    assert!(waiting.is_err(), "a fifth connection was served beside four: {:?}", waiting.map(|r| r.status()));
    drop(idle);
    let served = client.get(format!("{base}/healthz")).send().await.expect("served once the others closed");
    assert!(served.status().is_success());

    // A client that starts its headers and never finishes them is cut off (after
    // HEADER_READ_TIMEOUT, 10 s), so it cannot hold a connection.
    let mut slow = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n").await.expect("write");
    assert!(closed_by_server(&mut slow, Duration::from_secs(30)).await, "a trickling client kept its connection");

    server.kill();
    let _ = std::fs::remove_dir_all(&data);
}
