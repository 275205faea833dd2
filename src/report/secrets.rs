//! Finding the secrets of a run's files, for the redactor to mask: by the parsed trees
//! (secret-named settings, credentials headers, what decoded values hold) and by the text
//! (whatever the format, or whether it parses).

use crate::source::{FileId, SourceFile, SourceView, Sources, Span};
use crate::syntax::{apache, haproxy, server_xml, Comment, Parsed, Setting, Tree};

/// Where this file holds secret values, and the values themselves as messages could
/// quote them (decoded), so every output can mask both.
pub fn of_parsed(parsed: &Parsed<'_>) -> FileSecrets {
    let mut secrets = text_secrets(parsed.source);
    match &parsed.tree {
        Tree::ServerXml(doc) => {
            for element in &doc.elements {
                element_secrets(element, &mut secrets);
            }
        }
        Tree::Properties(props) => {
            for entry in &props.entries {
                setting_secrets(entry, &mut secrets);
            }
        }
        Tree::Haproxy(config) => {
            haproxy_secrets(config, &mut secrets);
            comment_secrets(parsed.source, &config.comments, &mut secrets);
        }
        Tree::Apache(config) => {
            apache_secrets(config, &mut secrets);
            comment_secrets(parsed.source, &config.comments, &mut secrets);
        }
        Tree::Nginx(config) => {
            nginx_secrets(config, &mut secrets);
            comment_secrets(parsed.source, &config.comments, &mut secrets);
        }
        Tree::Compose(compose) => {
            // The include step adds the settings of `env_file:` files, which are in those, and
            // gives a value the span of the `.env` line it comes from: that file holds the
            // span, this one only masks the value wherever a message quotes it.
            let own =
                compose.services.iter().flat_map(|s| &s.environment).filter(|s| s.span.file == parsed.source.id());
            for setting in own {
                if setting.value.span.file == parsed.source.id() {
                    setting_secrets(setting, &mut secrets);
                } else if crate::secrets::is_secret_name(&setting.name) {
                    secrets.decoded(&setting.value.text);
                }
            }
            // Traefik's `basicauth.users` and `digestauth.users` hold password hashes.
            let labels = compose.services.iter().flat_map(|s| &s.labels);
            for label in labels.filter(|s| s.value.span.file == parsed.source.id()) {
                let name = label.name.to_ascii_lowercase();
                if name.contains("basicauth") || name.contains("digestauth") {
                    secrets.value(label.value.span, &label.value.text);
                } else {
                    setting_secrets(label, &mut secrets);
                }
            }
            spans_secrets(parsed.source, &compose.secrets, &mut secrets);
            comment_secrets(parsed.source, &compose.comments, &mut secrets);
        }
        Tree::HelmValues(values) => {
            spans_secrets(parsed.source, &values.secrets, &mut secrets);
            let own = values.environment.iter().chain(values.ingress.iter().flat_map(|i| &i.annotations));
            for setting in own.filter(|s| !s.value.span.is_empty()) {
                setting_secrets(setting, &mut secrets);
            }
            comment_secrets(parsed.source, &values.comments, &mut secrets);
        }
        Tree::Kube(manifests) => {
            spans_secrets(parsed.source, &manifests.secrets, &mut secrets);
            // The include step adds config map values to the environment: the map's file
            // holds their spans, and a secret-named variable's value is masked here too,
            // wherever a message quotes it.
            let environment = manifests.workloads.iter().flat_map(|w| &w.containers).flat_map(|c| &c.environment);
            let annotations = manifests.ingresses.iter().flat_map(|i| &i.ingress.annotations);
            let own = manifests.config_maps.iter().flat_map(|m| &m.data).chain(environment).chain(annotations);
            for setting in own.filter(|s| !s.value.span.is_empty()) {
                if setting.value.span.file == parsed.source.id() {
                    setting_secrets(setting, &mut secrets);
                } else if crate::secrets::is_secret_name(&setting.name) {
                    secrets.decoded(&setting.value.text);
                }
            }
            comment_secrets(parsed.source, &manifests.comments, &mut secrets);
        }
        Tree::Traefik(config) => {
            spans_secrets(parsed.source, &config.secrets, &mut secrets);
            for router in &config.routers {
                setting_secrets(&router.rule, &mut secrets);
            }
            comment_secrets(parsed.source, &config.comments, &mut secrets);
        }
        Tree::DotEnv(env) => {
            for setting in &env.entries {
                setting_secrets(setting, &mut secrets);
            }
            // An environment file is where secrets are kept: a line it cannot read is
            // shown masked whole.
            for problem in &env.problems {
                secrets.add(parsed.source, problem.span);
            }
            comment_secrets(parsed.source, &env.comments, &mut secrets);
        }
    }
    unparsable_lines(parsed, &mut secrets);
    // Messages may quote a value raw as well as decoded.
    let raw = secrets.spans.iter().filter_map(|s| parsed.source.text().get(s.start()..s.end()));
    let raw: Vec<String> = raw.filter(|r| !r.is_empty() && !well_known(r)).map(str::to_string).collect();
    secrets.values.extend(raw);
    secrets.values.sort_unstable();
    secrets.values.dedup();
    secrets
}

/// The rest of each line a parser could not read, after a secret-named word on it: no
/// parser can say where that value ends (`insecure-password "never closed`).
fn unparsable_lines(parsed: &Parsed<'_>, secrets: &mut FileSecrets) {
    let source = parsed.source;
    let mut lines: Vec<(usize, usize)> = parsed
        .problems()
        .iter()
        .map(|p| (source.line_index(p.span.start()), source.line_index(p.span.end())))
        .collect();
    lines.sort_unstable();
    // Each line once, however many problems span it (nested unclosed blocks all reach
    // the end of the file).
    let mut next = 0;
    for (first, last) in lines {
        let first = first.max(next);
        next = next.max(last + 1);
        for line in first..=last {
            let (start, end) = source.line_range(line);
            let Some(text) = source.text().get(start..end) else { continue };
            let text = text.trim_end_matches(['\n', '\r']);
            if let Some(at) = crate::secrets::after_secret_word(text) {
                secrets.add(source, Span::new(source.id(), start + at, start + text.len()));
            }
        }
    }
}

/// Secret values a file's text shows whatever its format or whether it parses: secret-named
/// `name=value` settings, URL user info, credentials headers. Also for the files that are
/// only shown (`--base-url` values, the config file).
pub fn text_secrets(source: &SourceFile) -> FileSecrets {
    let mut secrets = FileSecrets::default();
    for (from, to) in crate::secrets::in_text(source.text()) {
        secrets.add(source, Span::new(source.id(), from, to));
    }
    let names = crate::secrets::url_user_names(source.text());
    secrets.user_names = names.into_iter().map(|(from, to)| Span::new(source.id(), from, to)).collect();
    secrets
}

/// Commented-out directives of the line formats (`# AuthLDAPBindPassword old`): the rest of
/// a comment after a secret-named word, as its words are not parsed.
fn comment_secrets(source: &SourceFile, comments: &[Comment<'_>], secrets: &mut FileSecrets) {
    for comment in comments {
        let Some(body) = source.text().get(comment.span.start()..comment.span.end()).and_then(|t| t.find(comment.text))
        else {
            continue;
        };
        let base = comment.span.start() + body;
        // Suppressions name rules, never secrets.
        if comment.text.trim_start().starts_with("atl-lint:") {
            continue;
        }
        if let Some(at) = crate::secrets::after_secret_word(comment.text) {
            secrets.add(source, Span::new(source.id(), base + at, base + comment.text.len()));
        }
    }
}

/// A Tomcat element's secrets: its secret-named attributes, and the `value` of an element
/// whose `name` names a secret (`<Environment>`, `<Parameter>`).
fn element_secrets(element: &server_xml::Element<'_>, secrets: &mut FileSecrets) {
    let named_secret = element
        .attributes
        .iter()
        .any(|a| a.name.eq_ignore_ascii_case("name") && crate::secrets::is_secret_name(&a.value.text));
    for setting in &element.attributes {
        if named_secret && setting.name.eq_ignore_ascii_case("value") {
            secrets.value(setting.value.span, &setting.value.text);
        }
        setting_secrets(setting, secrets);
    }
}

/// A setting's secrets: its whole value when its name names a secret, else what its decoded
/// value holds (a password parameter or user info of a URL after entities are decoded).
fn setting_secrets(setting: &Setting<'_>, secrets: &mut FileSecrets) {
    let decoded = setting.value.text.as_ref();
    if crate::secrets::is_secret_name(&setting.name) {
        secrets.value(setting.value.span, decoded);
        return;
    }
    let bare = crate::secrets::bare_user_info(decoded);
    // A rule may quote the part before the `:` alone (`set server.proxy-name=USER`): the
    // password after it is kept out of messages on its own too; the user name is no secret.
    let password = bare.and_then(|(from, to)| decoded.get(from..to)).and_then(|info| info.split_once(':'));
    secrets.values.extend(password.map(|(_, password)| password.to_string()));
    for (from, to) in crate::secrets::in_text(decoded).into_iter().chain(bare) {
        secrets.spans.push(setting.value.sub_span(from, to));
        secrets.decoded(decoded.get(from..to).unwrap_or(""));
    }
}

/// HAProxy secrets: the word after a secret-named word (`user x password HASH`,
/// `insecure-password`, `ca-sign-pass`, `setenv DB_PASSWORD x`) or a credentials header
/// (`set-header Authorization "Basic ..."`), `name=value` words with a secret name, and the
/// password of `stats auth user:password`.
fn haproxy_secrets(config: &haproxy::Config<'_>, secrets: &mut FileSecrets) {
    let statements = config.outside.iter().chain(config.sections.iter().flat_map(|s| s.statements.iter()));
    for statement in statements {
        // One pass: each word is the value of a secret-named word before it, or holds a
        // `name=value` of its own.
        let mut after_secret_name = false;
        for word in statement.words() {
            if after_secret_name {
                secrets.value(word.span, word.text);
            }
            after_secret_name = is_secret_word(word.text) || is_credentials_header(word.text);
            let Some((name, value)) = word.text.split_once('=') else { continue };
            if crate::secrets::is_secret_name(name) && !value.is_empty() {
                secrets.value(word.span, value);
            }
        }
        if statement.is(&["stats", "auth"]) {
            if let Some(credentials) = statement.args().get(1) {
                if let Some(colon) = credentials.text.find(':') {
                    let password = credentials.text.get(colon + 1..).unwrap_or("");
                    secrets.spans.push(credentials.sub_span(colon + 1, credentials.text.len()));
                    secrets.values.push(password.to_string());
                }
            }
        }
    }
}

/// A word that is a secret's name (`insecure-password`, `DB_PASSWORD`), not a value that
/// mentions one (`"${DB_PASSWORD}"`, a path).
fn is_secret_word(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        && crate::secrets::is_secret_name(text)
}

fn is_credentials_header(name: &str) -> bool {
    name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("proxy-authorization")
}

/// Apache secrets: the arguments of a secret-named directive (`AuthLDAPBindPassword`) and of
/// `DBDParams`, the value of a variable with a secret name (`Define`, `SetEnv`), a credentials
/// header's value (`RequestHeader set Authorization ...`), `name=value` arguments with a
/// secret name (`secret=` of an AJP worker), and what decoded arguments hold (user info of
/// URLs, after `${NAME}` substitution too).
fn apache_secrets(config: &apache::Config<'_>, secrets: &mut FileSecrets) {
    for directive in &config.directives {
        let name = directive.name().text.to_ascii_lowercase();
        let secret_directive = (crate::secrets::is_secret_name(&name)
            && !crate::secrets::is_directive_without_secret(&name))
            || name == "dbdparams";
        let variable = matches!(name.as_str(), "define" | "setenv" | "setenvif" | "setenvifnocase" | "setenvifexpr");
        let header = matches!(name.as_str(), "header" | "requestheader");
        let mut after_secret_name = false;
        for arg in directive.args() {
            if secret_directive || after_secret_name {
                secrets.value(arg.span, arg.text);
            }
            after_secret_name = after_secret_name
                || (variable && is_secret_word(arg.text))
                || (header && (is_credentials_header(arg.text) || is_secret_word(arg.text)));
            if let Some((key, value)) = arg.text.split_once('=') {
                if crate::secrets::is_secret_name(key) && !value.is_empty() {
                    secrets.value(arg.span, value);
                }
            }
            for (from, to) in crate::secrets::in_text(arg.text) {
                secrets.spans.push(arg.sub_span(from, to));
                secrets.decoded(arg.text.get(from..to).unwrap_or(""));
            }
        }
    }
}

/// nginx: a directive named as a secret holds one in its arguments; a header set to
/// credentials (`proxy_set_header Authorization "Basic ..."`) or named as a secret holds
/// its value; and any argument that reads as a secret.
fn nginx_secrets(config: &crate::syntax::nginx::Config<'_>, secrets: &mut FileSecrets) {
    for directive in &config.directives {
        let name = directive.name().text.to_ascii_lowercase();
        let secret_directive =
            crate::secrets::is_secret_name(&name) && !crate::secrets::is_directive_without_secret(&name);
        let header = name.ends_with("_set_header") || name == "add_header" || name == "more_set_headers";
        let credentials =
            header && directive.args().first().is_some_and(|h| is_credentials_header(h.text) || is_secret_word(h.text));
        for (k, arg) in directive.args().iter().enumerate() {
            if secret_directive || (credentials && k > 0) {
                secrets.value(arg.span, arg.text);
            }
            for (from, to) in crate::secrets::in_text(arg.text) {
                secrets.spans.push(arg.sub_span(from, to));
                secrets.decoded(arg.text.get(from..to).unwrap_or(""));
            }
        }
    }
}

/// Secret values of one file.
#[derive(Debug, Default)]
pub struct FileSecrets {
    /// Raw spans to mask in snippets.
    pub spans: Vec<Span>,
    /// Values (raw and decoded) to mask wherever a message quotes them.
    pub values: Vec<String>,
    /// User names of URLs without a password (`ssh://git@host`): masked in snippets only,
    /// as a common name (`git`) searched for in messages would mask every word holding it.
    pub user_names: Vec<Span>,
}

/// Secret values a YAML reader found by their spans: each span's text as a value.
fn spans_secrets(source: &SourceFile, spans: &[Span], secrets: &mut FileSecrets) {
    for span in spans {
        secrets.value(*span, source.text().get(span.start()..span.end()).unwrap_or(""));
    }
}

/// A product's (or the vendor's) name as a default password (`${DB_PASSWORD:-jira}`): masked
/// where it is set, not in every path and message that names the product, as it is no secret.
fn well_known(value: &str) -> bool {
    let value = value.trim();
    ["atlassian", "jira", "confluence", "bitbucket", "bamboo", "crowd", "stash"]
        .iter()
        .any(|name| value.eq_ignore_ascii_case(name))
}

impl FileSecrets {
    /// A secret at `span` of `source`: the span, and its raw text as a value.
    fn add(&mut self, source: &SourceFile, span: Span) {
        if span.is_empty() {
            return;
        }
        self.spans.push(span);
        let raw = source.text().get(span.start()..span.end()).filter(|r| !well_known(r));
        self.values.extend(raw.map(str::to_string));
    }

    /// A secret value at `span`, decoded as messages quote it (the raw text is found with
    /// the file's text).
    fn value(&mut self, span: Span, decoded: &str) {
        self.spans.push(span);
        self.decoded(decoded);
    }

    /// A value as messages quote it.
    fn decoded(&mut self, decoded: &str) {
        // A template tag reads as `{{____}}`: no secret, and every tag of its length would
        // be masked with it (the tag's own text is a value through its span).
        let template_tag = decoded.chars().all(|c| matches!(c, '{' | '_' | '}'));
        if !decoded.is_empty() && !template_tag && !well_known(decoded) {
            self.values.push(decoded.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::of_parsed;
    use crate::source::{FileId, FileKind, SourceFile};
    use crate::syntax::parse;

    /// A file's text with every secret span it reports masked, and its secret values.
    fn masked(kind: FileKind, text: &str) -> (String, Vec<String>) {
        let source = SourceFile::new(FileId(0), "f".into(), "f".into(), Some(kind), text.as_bytes().to_vec());
        let Some(parsed) = parse(&source) else { panic!("not parsed") };
        let secrets = of_parsed(&parsed);
        let mut bytes = text.as_bytes().to_vec();
        for span in &secrets.spans {
            bytes[span.start()..span.end()].fill(b'*');
        }
        (String::from_utf8(bytes).expect("utf-8"), secrets.values)
    }

    fn assert_masked(kind: FileKind, text: &str, kept: &[&str]) {
        let (masked, values) = masked(kind, text);
        // The secrets are the words `P_<number>`.
        let words = text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
        let canaries = words.filter(|w| w.strip_prefix("P_").is_some_and(|n| n.chars().all(|c| c.is_ascii_digit())));
        for canary in canaries {
            assert!(!masked.contains(canary), "{canary} is shown:\n{masked}");
            assert!(values.iter().any(|v| v.contains(canary)), "{canary} is not a value to scrub: {values:?}");
        }
        for word in kept {
            assert!(masked.contains(word), "`{word}` is masked but is no secret:\n{masked}");
        }
    }

    #[test]
    fn a_product_name_as_a_password_is_masked_where_it_is_set_only() {
        let text = "services:\n  db:\n    environment:\n      DB_PASSWORD: jira\n      MYSQL_PASSWORD: P_1\n";
        let (masked, values) = masked(FileKind::Compose, text);
        assert!(masked.contains("DB_PASSWORD: ****\n"), "{masked}");
        assert!(!values.iter().any(|v| v == "jira"), "{values:?}");
        assert!(values.iter().any(|v| v == "P_1"), "{values:?}");
    }

    #[test]
    fn apache_secrets_by_name_and_by_value() {
        let text = "\
Define LDAP_BIND_PASSWORD P_1
SetEnv DB_PASSWD P_2
SetEnv JAVA_HOME /opt/java
Define HOST jira.example.com
DBDParams \"host=db user=jira pass=P_3\"
RequestHeader set Authorization \"Basic P_4\"
Header set Proxy-Authorization P_5
Header set X-Api-Token P_6
ProxyPass /jira/ ajp://localhost:8009/jira/ secret=P_7 timeout=30
BalancerMember ajp://localhost:8010 secret=P_8
ProxyPass /db http://admin:P_9@localhost:8090/db/
AuthLDAPBindPassword P_10
ServerTokens Prod
PassEnv JAVA_OPTS
# SSLPassword P_11
";
        let kept = ["/opt/java", "jira.example.com", "timeout=30", "Prod", "JAVA_OPTS", "ajp://localhost:8010"];
        assert_masked(FileKind::Apache, text, &kept);
    }

    #[test]
    fn nginx_secrets_by_name_and_by_value() {
        let text = "\
server {
    listen 443 ssl;
    server_name jira.example.com;
    proxy_set_header Authorization \"Basic P_1\";
    proxy_set_header X-Api-Token P_2;
    proxy_set_header Host $host;
    proxy_pass http://admin:P_3@localhost:8080/;
    auth_basic_user_file /etc/nginx/htpasswd;
    # ldap password P_4
}
";
        let kept = ["jira.example.com", "$host", "/etc/nginx/htpasswd", "Host", "443"];
        assert_masked(FileKind::Nginx, text, &kept);
    }

    #[test]
    fn tomcat_secrets_by_name_and_by_value() {
        let text = "\
<Server port=\"8005\"><Service name=\"Catalina\">
<Connector port=\"8443\" secure=\"true\" scheme=\"https\" keystorePasword=\"P_1\" secretRequired=\"false\"
           proxyName=\"admin:P_2@jira.example.com\"/>
<Environment name=\"DB_PASSWORD\" value=\"P_3\" type=\"java.lang.String\"/>
<Environment name=\"DB_HOST\" value=\"db.example.com\"/>
<Parameter name=\"ldap.secret\" value=\"P_4\"/>
<Resource url=\"jdbc:sqlserver://db;user=jira;password=P_5;ssl=true\"/>
<Resource url=\"jdbc:postgresql://db/x?user=jira&amp;password=P_7&amp;ssl=false\"/>
<!-- <Connector keystorePass=\"P_6\"/> -->
</Service></Server>
";
        let kept = ["\"true\"", "\"https\"", "\"false\"", "db.example.com", "ssl=true", "jira.example.com"];
        assert_masked(FileKind::TomcatServerXml, text, &kept);
    }

    #[test]
    fn broken_xml_attributes_hide_the_rest_of_the_line() {
        let text = "<Server><Connector port=\"8443\" keystorePass=P_1 sslProtocol=\"TLS\"/>\n</Server>\n";
        assert_masked(FileKind::TomcatServerXml, text, &["8443"]);
        let text = "<Server><Connector port=\"8443\" certificateKeyPassword='P_1 P_2/>\n</Server>\n";
        assert_masked(FileKind::TomcatServerXml, text, &["8443"]);
    }

    #[test]
    fn haproxy_secrets_by_name_and_by_value() {
        let text = "\
global
    setenv DB_PASS P_1
userlist admins
    user admin insecure-password \"P_2 never closed
    user ops password P_3
frontend www
    bind :443 ssl crt /etc/ssl/site.pem
    stats auth admin:P_4
    redirect location https://u:P_5@jira.example.com/ if { path /old }
    http-request set-header Authorization \"Bearer P_6\"
    http-request set-header X-Env \"${DB_PASS}\" if old
    # stats auth admin:P_8
backend app
    option httpchk GET / HTTP/1.1\\r\\nAuthorization:\\ Basic\\ P_7\\r\\nHost:\\ x
    server app1 127.0.0.1:8080 check
";
        let kept = ["/etc/ssl/site.pem", "admin:", "jira.example.com", "if old", "127.0.0.1:8080", "Host:"];
        assert_masked(FileKind::Haproxy, text, &kept);
    }

    #[test]
    fn properties_secrets_by_name_and_by_value() {
        let text = "\
server.proxy-name=admin:P_1@git.example.com
setup.sysadmin.pasword=P_2
jdbc.url=jdbc:sqlserver://db;user=bb;pwd=P_3;database=bitbucket
server.secure=true
setup.sysadmin.username=admin
";
        assert_masked(
            FileKind::BitbucketProperties,
            text,
            &["git.example.com", "database=bitbucket", "true", "=admin"],
        );
    }
}

/// The secrets of a run: the spans of each file to mask in snippets, and every value to
/// mask wherever a message quotes it.
#[derive(Debug, Default)]
pub struct Secrets {
    /// Byte ranges by file id.
    spans: Vec<Vec<(usize, usize)>>,
    values: Vec<String>,
}

impl Secrets {
    /// The secrets of every file of a run: the parsed ones by their trees and text, the
    /// others (`--base-url` values, the config file) by their text.
    pub fn find(parsed: &[Parsed<'_>], sources: &SourceView<'_>) -> Secrets {
        let mut secrets = Secrets::default();
        let mut seen = vec![false; sources.count()];
        for file in parsed {
            if let Some(slot) = seen.get_mut(file.source.id().0 as usize) {
                *slot = true;
            }
            secrets.add(file.source.id(), of_parsed(file));
        }
        for source in sources.iter().filter(|s| !seen.get(s.id().0 as usize).copied().unwrap_or(false)) {
            secrets.add(source.id(), text_secrets(source));
        }
        secrets
    }

    /// Records what was found in `file`.
    pub fn add(&mut self, file: FileId, found: FileSecrets) {
        let index = file.0 as usize;
        if self.spans.len() <= index {
            self.spans.resize_with(index + 1, Vec::new);
        }
        if let Some(spans) = self.spans.get_mut(index) {
            spans.extend(found.spans.iter().chain(&found.user_names).map(|s| (s.start(), s.end())));
        }
        self.values.extend(found.values);
    }

    /// The byte ranges of `file` to mask.
    pub fn spans(&self, file: FileId) -> &[(usize, usize)] {
        self.spans.get(file.0 as usize).map_or(&[], Vec::as_slice)
    }

    /// Every secret value of the run.
    pub fn values(&self) -> &[String] {
        &self.values
    }
}
