//! Passwords (argon2id), session tokens and cookies, and the slowdown of repeated login
//! failures.

use crate::store::cluster::Coordination;
use app::api::SESSION_COOKIE;
use argon2::{
    password_hash::{
        self,
        rand_core::{OsRng, RngCore},
        PasswordHash, Salt, SaltString,
    },
    Algorithm, Argon2, Block, Params, Version,
};
use http::HeaderMap;
use sha2::{Digest, Sha256};
use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};

/// How long a session lasts without logging in again: a long shift.
pub const SESSION_TTL_MS: i64 = 12 * 60 * 60 * 1000;

/// Hashes a password into a PHC string (argon2id, random salt). CPU-heavy, and allocates
/// argon2's memory afresh: the server uses [`crate::password_workers`] instead; this is for
/// the command line and seeding.
pub fn hash_password(password: &str) -> String {
    hash_password_in(password, &mut Vec::new())
}

/// Checks a password against a stored hash; a malformed hash never matches. Allocates as
/// [`hash_password`] does.
pub fn verify_password(password: &str, phc: &str) -> bool {
    verify_password_in(password, phc, &mut Vec::new())
}

/// [`hash_password`] in the caller's argon2 memory, grown if it is too small and kept.
pub fn hash_password_in(password: &str, memory: &mut Vec<Block>) -> String {
    let salt = SaltString::generate(&mut OsRng);
    phc(
        password,
        Algorithm::default(),
        Version::default(),
        Params::default(),
        salt.as_salt(),
        memory,
    )
    .expect("argon2 with default parameters cannot fail")
    .to_string()
}

/// [`verify_password`] in the caller's argon2 memory: the stored hash's own algorithm,
/// version and parameters, compared in constant time.
pub fn verify_password_in(password: &str, stored: &str, memory: &mut Vec<Block>) -> bool {
    let mut check = || -> password_hash::Result<bool> {
        let hash = PasswordHash::new(stored)?;
        let expected = hash.hash.ok_or(password_hash::Error::Password)?;
        let algorithm = Algorithm::try_from(hash.algorithm)?;
        let version = match hash.version {
            Some(v) => Version::try_from(v)?,
            None => Version::default(),
        };
        // With the stored hash's output length.
        let params = Params::try_from(&hash)?;
        let salt = hash.salt.ok_or(password_hash::Error::SaltInvalid(
            password_hash::errors::InvalidValue::Malformed,
        ))?;
        let computed = phc(password, algorithm, version, params, salt, memory)?;
        Ok(computed.hash == Some(expected))
    };
    check().unwrap_or(false)
}

/// The PHC hash of `password` with these settings, computed in `memory`.
fn phc<'a>(
    password: &str,
    algorithm: Algorithm,
    version: Version,
    params: Params,
    salt: Salt<'a>,
    memory: &mut Vec<Block>,
) -> password_hash::Result<PasswordHash<'a>> {
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    let mut salt_bytes = [0u8; Salt::MAX_LENGTH];
    let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
    let length = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let output = password_hash::Output::init_with(length, |out| {
        argon2
            .hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, &mut memory[..])
            .map_err(|_| password_hash::Error::Password)
    })?;
    Ok(PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: password_hash::ParamsString::try_from(&params)?,
        salt: Some(salt),
        hash: Some(output),
    })
}

/// A hash to verify against when the username is unknown, so that answering takes as long
/// as for a known user and does not reveal which usernames exist.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no user has this password"))
}

/// Whether a password is on the list of common passwords guessers try first (the
/// `passwords` crate's list of about 100,000; the domain also tries it in lower case).
pub fn is_common_password(password: &str) -> bool {
    passwords::analyzer::is_common_password(password)
}

/// A password for a user to type once and then replace (SPEC D-2): 16 letters and digits
/// without look-alikes (no 0/O, 1/l/I), about 90 bits from the thread's CSPRNG.
pub fn one_time_password() -> String {
    passwords::PasswordGenerator::new()
        .length(app::domain::limits::ONE_TIME_PASSWORD_CHARS)
        .numbers(true)
        .lowercase_letters(true)
        .uppercase_letters(true)
        .symbols(false)
        .spaces(false)
        .exclude_similar_characters(true)
        .strict(true)
        .generate_one()
        .expect("letters and digits make a valid generator")
}

/// A new session token: 32 random bytes, hex-encoded.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    crate::hex::encode(bytes)
}

/// What the store keeps instead of the token, so a leaked database opens no session.
pub fn token_hash(token: &str) -> String {
    crate::hex::encode(Sha256::digest(token.as_bytes()))
}

/// The `Set-Cookie` value that opens a session: HttpOnly and SameSite=Strict.
pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        cookie_name(secure),
        SESSION_TTL_MS / 1000,
        if secure { "; Secure" } else { "" }
    )
}

/// SPEC D-1: the session cookie of a desktop framed by an allowed host on another site.
/// Sent in cross-site frames (`SameSite=None`), kept in that host's partition only (CHIPS
/// `Partitioned`: the same browser on another top-level site does not send it), HTTPS only;
/// a login window's is not partitioned (see [`frame_session_cookies`]), and other sites'
/// pages may make the browser send it: the guard refuses them its writes without the CSRF
/// token, and its emails. Its own name, so the guard knows what a request carrying it must
/// prove.
pub const FRAME_SESSION_COOKIE: &str = "__Host-sb_frame";

/// SPEC D-1: the `Set-Cookie` values of a framed session: the session (HttpOnly) and its
/// CSRF token ([`app::api::client::CSRF_COOKIE`]), which the page's script must read to
/// send it back, so not HttpOnly. A page of another site can make the browser send both
/// cookies but can read neither, so it cannot write the header.
///
/// `partitioned` is false for a login made in a window of its own ("Log in in a new
/// window", for browsers that keep no cookie in a cross-site frame): that window is not in
/// the host's partition, and the frame reaches the cookies only through the Storage Access
/// API, which opens the unpartitioned ones.
pub fn frame_session_cookies(token: &str, partitioned: bool) -> (String, String) {
    let attributes = format!(
        "Path=/; Secure; SameSite=None{}; Max-Age={}",
        if partitioned { "; Partitioned" } else { "" },
        SESSION_TTL_MS / 1000
    );
    (
        format!("{FRAME_SESSION_COOKIE}={token}; HttpOnly; {attributes}"),
        format!(
            "{}={}; {attributes}",
            app::api::client::CSRF_COOKIE,
            csrf_token(token)
        ),
    )
}

/// The CSRF token of a session: a hash of its token, so it proves the writer could read
/// what the server gave that session, and reveals nothing of the token itself.
pub fn csrf_token(session_token: &str) -> String {
    crate::hex::encode(Sha256::digest(format!("csrf:{session_token}").as_bytes()))
}

/// The `Set-Cookie` values that remove a framed session's cookies (the session's and its
/// CSRF token's), the partitioned ones and those a login window left: a browser keeps them
/// apart, and the request does not say which it sent. A CSRF cookie left behind would be
/// sent with the next framed session's writes.
pub fn clear_frame_cookies() -> Vec<String> {
    let mut cleared = Vec::new();
    for partitioned in ["; Partitioned", ""] {
        cleared.push(format!(
            "{FRAME_SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=None{partitioned}; Max-Age=0"
        ));
        cleared.push(format!(
            "{}=; Path=/; Secure; SameSite=None{partitioned}; Max-Age=0",
            app::api::client::CSRF_COOKIE
        ));
    }
    cleared
}

/// The framed session's token from the request's cookies, if it carries one.
pub fn frame_token_from_headers(headers: &HeaderMap) -> Option<String> {
    frame_tokens_from_headers(headers).into_iter().next()
}

/// Every framed session token the request carries, in order (at most
/// [`MAX_SESSION_COOKIES`]). A frame can hold two: its partitioned cookie and the one a login
/// window left, which storage access opened to it; one of them may be stale.
pub fn frame_tokens_from_headers(headers: &HeaderMap) -> Vec<String> {
    cookie_values(headers, FRAME_SESSION_COOKIE)
}

/// The most session cookies of a kind looked at in one request: each may cost a lookup.
pub const MAX_SESSION_COOKIES: usize = 4;

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        cookie_name(secure),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that keeps the language a user chose for their pages for a year
/// ([`app::domain::language::LANGUAGE_COOKIE`]): a preference, not a secret, but HttpOnly
/// like everything the server sets (only the server reads it).
///
/// `framed` (SPEC D-1): for a framed session over HTTPS, whether its cookies are partitioned
/// (see [`frame_session_cookies`]): its language must travel in the cross-site frame like
/// its session (a `Lax` cookie does not), so the frame speaks the account's language.
pub fn language_cookie(locale: app::i18n::Locale, secure: bool, framed: Option<bool>) -> String {
    let reach = match framed {
        Some(true) => "SameSite=None; Secure; Partitioned",
        Some(false) => "SameSite=None; Secure",
        None if secure => "SameSite=Lax; Secure",
        None => "SameSite=Lax",
    };
    format!(
        "{}={locale}; Path=/; HttpOnly; {reach}; Max-Age=31536000",
        app::domain::language::LANGUAGE_COOKIE,
    )
}

/// Over HTTPS the cookie's name carries the `__Host-` prefix: browsers then keep it only if
/// it is Secure, for this host alone and the whole site (no Domain, Path=/), so no sibling
/// domain can plant or shadow it.
fn cookie_name(secure: bool) -> String {
    if secure {
        format!("__Host-{SESSION_COOKIE}")
    } else {
        SESSION_COOKIE.to_string()
    }
}

/// Every session token the request carries, the ordinary cookie's first, then (over HTTPS)
/// each framed session's (SPEC D-1): the first that names a live session is the request's.
/// Over HTTPS only the `__Host-` cookie counts (a plain one may have been planted by a
/// sibling domain).
pub fn session_tokens(headers: &HeaderMap, secure: bool) -> Vec<String> {
    let mut tokens = cookie_values(headers, &cookie_name(secure));
    if secure {
        tokens.extend(frame_tokens_from_headers(headers));
    }
    tokens
}

/// The non-empty values of the cookies named `name`, in the order sent (at most
/// [`MAX_SESSION_COOKIES`]).
pub(crate) fn cookie_values(headers: &HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(key, value)| *key == name && !value.is_empty())
        .map(|(_, value)| value.to_string())
        .take(MAX_SESSION_COOKIES)
        .collect()
}

/// Failures that are forgiven after this long without another one.
const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures of one username allowed before its attempts slow down.
const FREE_USER_FAILURES: u32 = 3;
/// Failures from one address allowed before its attempts slow down: higher, because many
/// agents may share an address behind a proxy.
const FREE_ADDRESS_FAILURES: u32 = 10;
/// The longest wait imposed before checking a password.
const MAX_DELAY: Duration = Duration::from_secs(8);

/// Counts recent login failures per username and per client address, and says how long
/// until the next attempt is checked at all: nothing at first, then 1 s, 2 s, 4 s, up to 8 s
/// after the last failure. An attempt before then is refused (429 with Retry-After), never
/// held: a held request would tie up a connection and a task per guess. Kept in memory by
/// one process (a restart forgives, which is acceptable for a slowdown); in the database
/// when several nodes share it, so that guesses spread over the nodes count together
/// (issue 14).
#[derive(Default)]
pub struct LoginThrottle {
    /// Key: failures and the last one's time (Unix ms).
    failures: Mutex<HashMap<String, (u32, i64)>>,
    shared: Option<Arc<dyn Coordination>>,
}

fn user_key(username: &str) -> String {
    format!("user:{}", username.to_lowercase())
}

/// An IPv6 client counts by its /64 network (see [`crate::gates::rate_key`]).
fn address_key(ip: IpAddr) -> String {
    format!("ip:{}", crate::gates::rate_key(ip))
}

/// The wait after `failures` failures when `free` are allowed.
fn backoff(failures: u32, free: u32) -> Duration {
    if failures < free {
        Duration::ZERO
    } else {
        (Duration::from_secs(1) * 2u32.pow((failures - free).min(3))).min(MAX_DELAY)
    }
}

impl LoginThrottle {
    /// Counts kept in the database the nodes share.
    pub fn shared(coordination: Arc<dyn Coordination>) -> Self {
        LoginThrottle {
            failures: Mutex::default(),
            shared: Some(coordination),
        }
    }

    /// The recent failures of each key (none past the window).
    async fn counts(&self, keys: &[String], now: i64) -> HashMap<String, (u32, i64)> {
        let since = now - FAILURE_WINDOW.as_millis() as i64;
        match &self.shared {
            Some(shared) => match shared.login_failures(keys, since).await {
                Ok(rows) => rows.into_iter().map(|(k, n, at)| (k, (n, at))).collect(),
                Err(e) => {
                    tracing::error!(error = %e, "login failures unreadable: not slowed down");
                    HashMap::new()
                }
            },
            None => {
                let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
                keys.iter()
                    .filter_map(|k| Some((k.clone(), *map.get(k)?)))
                    .filter(|(_, (_, at))| *at >= since)
                    .collect()
            }
        }
    }

    /// How long until an attempt for this username from this address may be checked
    /// (zero: now).
    pub async fn wait(&self, username: &str, ip: Option<IpAddr>) -> Duration {
        let now = crate::clock::now_ms();
        let (user, address) = (user_key(username), ip.map(address_key));
        let keys: Vec<String> = std::iter::once(user.clone())
            .chain(address.clone())
            .collect();
        let counts = self.counts(&keys, now).await;
        let left = |key: &String, free: u32| {
            counts.get(key).map_or(Duration::ZERO, |(n, at)| {
                let elapsed = Duration::from_millis((now - at).max(0) as u64);
                backoff(*n, free).saturating_sub(elapsed)
            })
        };
        let by_user = left(&user, FREE_USER_FAILURES);
        let by_address = address.map_or(Duration::ZERO, |key| left(&key, FREE_ADDRESS_FAILURES));
        by_user.max(by_address)
    }

    pub async fn record_failure(&self, username: &str, ip: Option<IpAddr>) {
        let now = crate::clock::now_ms();
        let since = now - FAILURE_WINDOW.as_millis() as i64;
        let keys: Vec<String> = std::iter::once(user_key(username))
            .chain(ip.map(address_key))
            .collect();
        if let Some(shared) = &self.shared {
            if let Err(e) = shared.add_login_failure(&keys, now, since).await {
                tracing::error!(error = %e, "login failure not counted");
            }
            return;
        }
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, (_, last)| *last >= since);
        for key in keys {
            let entry = map.entry(key).or_insert((0, now));
            entry.0 += 1;
            entry.1 = now;
        }
    }

    /// A success clears the username's count (not the address's: one address may be
    /// guessing many usernames), and takes back the attempt counted while it was checked.
    pub async fn record_success(&self, username: &str, ip: Option<IpAddr>) {
        let (user, address) = (user_key(username), ip.map(address_key));
        if let Some(shared) = &self.shared {
            if let Err(e) = shared.login_succeeded(&user, address.as_deref()).await {
                tracing::error!(error = %e, "login success not counted");
            }
            return;
        }
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&user);
        if let Some(entry) = address.and_then(|key| map.get_mut(&key)) {
            entry.0 = entry.0.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hashed_with_argon2id_and_verified() {
        let hash = hash_password("correct horse");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("Correct horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn one_time_passwords_are_long_random_and_pass_the_rules() {
        let a = one_time_password();
        let b = one_time_password();
        assert_ne!(a, b);
        assert_eq!(a.chars().count(), 16);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(!a.contains(['0', 'O', '1', 'l', 'I']));
        assert!(app::domain::account::validate_new_password(
            app::domain::validate::Field::Password,
            "ann",
            &a,
            is_common_password
        )
        .is_ok());
    }

    #[test]
    fn common_passwords_of_twelve_characters_and_more_are_known() {
        assert!(is_common_password("123456789012"));
        assert!(is_common_password("password1234"));
        assert!(is_common_password("qwertyuiopasdfghjkl"));
        assert!(!is_common_password("plum kettle harbour 42"));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let a = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_token());
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a), token_hash(&a));
    }

    #[test]
    fn session_cookie_is_http_only_and_strict() {
        let c = session_cookie("abc", false);
        assert!(c.starts_with("sb_session=abc;"));
        assert!(c.contains("HttpOnly"));
        assert!(c.contains("SameSite=Strict"));
        assert!(!c.contains("Secure"));
        let secure = session_cookie("abc", true);
        assert!(
            secure.starts_with("__Host-sb_session=abc; Path=/;"),
            "{secure}"
        );
        assert!(secure.ends_with("; Secure") && !secure.contains("Domain"));
    }

    #[test]
    fn token_is_read_from_any_cookie_header() {
        let mut h = HeaderMap::new();
        h.append(http::header::COOKIE, "theme=dark".parse().unwrap());
        h.append(
            http::header::COOKIE,
            "a=1; sb_session=tok; b=2".parse().unwrap(),
        );
        assert_eq!(session_tokens(&h, false), ["tok"]);
        assert!(session_tokens(&HeaderMap::new(), false).is_empty());
        assert!(
            session_tokens(&h, true).is_empty(),
            "over HTTPS a plain cookie does not count"
        );
        h.append(
            http::header::COOKIE,
            "__Host-sb_session=safe".parse().unwrap(),
        );
        assert_eq!(session_tokens(&h, true), ["safe"]);
    }

    /// Close to `expected`: the wait counts down from the last failure.
    fn about(wait: Duration, expected: Duration) -> bool {
        wait <= expected && wait + Duration::from_millis(500) > expected
    }

    #[tokio::test]
    async fn repeated_failures_make_attempts_wait() {
        let t = LoginThrottle::default();
        let ip: Option<IpAddr> = Some("127.0.0.1".parse().unwrap());
        for _ in 0..3 {
            assert_eq!(t.wait("alice", ip).await, Duration::ZERO);
            t.record_failure("alice", ip).await;
        }
        assert!(about(t.wait("ALICE", None).await, Duration::from_secs(1)));
        t.record_failure("alice", ip).await;
        assert!(about(t.wait("alice", None).await, Duration::from_secs(2)));
        // Another username from the same address does not wait yet...
        assert_eq!(t.wait("bob", ip).await, Duration::ZERO);
        for _ in 0..10 {
            t.record_failure("alice", ip).await;
        }
        assert!(about(t.wait("alice", None).await, MAX_DELAY));
        // ...but an address guessing at length does, whatever the username.
        assert!(about(t.wait("bob", ip).await, Duration::from_secs(8)));
        assert_eq!(t.wait("bob", None).await, Duration::ZERO);
        t.record_success("alice", None).await;
        assert_eq!(t.wait("alice", None).await, Duration::ZERO);
    }
}
