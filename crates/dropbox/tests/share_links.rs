//! Share links against the Dropbox emulator: made once, the existing one reused, a refused
//! path and a rate limit classified like every other call.

use boxkeeper_dropbox::{AccessToken, Client, Endpoints, Failure};
use dropbox_emulator::{Emulator, Fault};

const PO: &str = "/2416 - Whop Keynote/1. Purchase Orders/2416_23 Jane Smith";

#[test]
fn a_share_link_is_made_once_and_the_existing_one_is_reused() {
    let emu = Emulator::start("127.0.0.1:0").unwrap();
    let file = format!("{PO}/2416_23_01 Jane Smith Invoice.pdf");
    let meta = emu.put_file(&file, "%PDF").unwrap();
    let tokens = emu.issue_tokens("boxkeeper-test");
    let client = Client::new(
        Endpoints::all_at(&emu.base_url()),
        AccessToken(tokens.access_token),
    );

    let link = client.create_shared_link(&file).unwrap();
    assert!(link.starts_with("https://www.dropbox.com/s/"), "{link}");
    // Asked again, by id this time: Dropbox answers 409 with the existing link.
    let id = meta["id"].as_str().unwrap();
    assert_eq!(client.create_shared_link(id).unwrap(), link);
    // A folder gets its own.
    let folder = client.create_shared_link(PO).unwrap();
    assert_ne!(folder, link);

    match client.create_shared_link(&format!("{PO}/missing.pdf")) {
        Err(Failure::Rejected {
            status: 409,
            summary,
        }) => {
            assert!(summary.starts_with("path/not_found"), "{summary}")
        }
        other => panic!("{other:?}"),
    }
    emu.inject_fault(
        "sharing/create_shared_link_with_settings",
        Fault::RateLimit { retry_after: 3 },
        1,
    );
    assert_eq!(
        client.create_shared_link(&file),
        Err(Failure::RateLimited(std::time::Duration::from_secs(3)))
    );
    emu.inject_fault(
        "sharing/create_shared_link_with_settings",
        Fault::Status(503),
        1,
    );
    assert!(matches!(
        client.create_shared_link(&file),
        Err(Failure::Unavailable(_))
    ));
    assert_eq!(client.create_shared_link(&file).unwrap(), link);
}
