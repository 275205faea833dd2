//! `haproxy-backend-undefined`: `use_backend`/`default_backend` naming no backend.

use foldhash::HashSet;

use crate::rules::queries::haproxy_configs;
use crate::rules::{declare_rule, nearest, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags a `use_backend` or `default_backend` that names a backend no `backend` or
    /// `listen` section of the scanned HAProxy files defines (HAProxy reads a directory of
    /// files as one configuration). Names built at run time (`use_backend %[req.hdr(host)]`)
    /// are not judged.
    ///
    /// ## Why is this bad?
    /// `haproxy -c` refuses the configuration ("unable to find required use_backend"), so a
    /// reload fails and the old process keeps serving the old configuration, or none starts.
    /// Usually a renamed backend, or a typo.
    ///
    /// ## Example
    /// ```haproxy
    /// frontend bitbucket_http_frontend
    ///     default_backend bitbucket_backend
    /// backend bitbucket_http_backend
    ///     server bitbucket01 localhost:7990
    /// ```
    ///
    /// Use instead:
    /// ```haproxy
    /// frontend bitbucket_http_frontend
    ///     default_backend bitbucket_http_backend
    /// backend bitbucket_http_backend
    ///     server bitbucket01 localhost:7990
    /// ```
    pub struct HaproxyBackendUndefined {
        id: "haproxy-backend-undefined",
        summary: "a `use_backend` or `default_backend` that names a backend no `backend` or `listen` section of the scanned HAProxy files defines (HAProxy reads a directory of files as one configuration)",
        severity: Error,
        scope: "haproxy",
        formats: [Haproxy],
    }
}

impl Rule for HaproxyBackendUndefined {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        // `haproxy -f conf.d/` reads every file as one configuration: backends may be defined
        // in another scanned file.
        let backends: HashSet<&str> = haproxy_configs(cx.files)
            .flat_map(|c| c.sections.iter())
            .filter(|s| matches!(s.kind(), "backend" | "listen"))
            .map(|s| s.name())
            .collect();
        for config in haproxy_configs(cx.files) {
            for section in &config.sections {
                for statement in section.find(&["use_backend"]).chain(section.find(&["default_backend"])) {
                    let Some(name) = statement.args().first().filter(|w| !w.unknown) else { continue };
                    if name.text.contains("%[") || backends.contains(name.text) {
                        continue;
                    }
                    let keyword = statement.keyword().map_or("", |k| k.text);
                    let message = format!(
                        "`{keyword}` names backend `{}`, which no `backend` or `listen` section defines",
                        name.text
                    );
                    let diagnostic = sink.emit(name.span, "no such backend", message);
                    match nearest(name.text, backends.iter().copied(), 3).first() {
                        Some(near) => diagnostic.help(format!("did you mean `{near}`?")),
                        None => diagnostic.help("define the backend, or name an existing one"),
                    };
                }
            }
        }
    }
}
