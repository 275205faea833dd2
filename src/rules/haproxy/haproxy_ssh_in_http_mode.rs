//! `haproxy-ssh-in-http-mode`: Bitbucket's SSH port behind an HTTP-mode proxy.

use crate::model::routes::{bind_port, mode};
use crate::model::url::split_host_port;
use crate::model::BITBUCKET_SSH_PORT;
use crate::rules::haproxy::describe;
use crate::rules::queries::haproxy_configs;
use crate::rules::{declare_rule, Context, Rule, Sink};

declare_rule! {
    /// ## What it does
    /// Flags an HAProxy `frontend`, `listen` or `backend` in `mode http` (its own or its
    /// `defaults`') that listens on Bitbucket's SSH port or forwards to it: 7999, or the
    /// `plugin.ssh.port` of a scanned `bitbucket.properties`.
    ///
    /// ## Why is this bad?
    /// SSH is not HTTP: HAProxy answers every `git clone ssh://...` with an HTTP 400 and the
    /// client reports "kex_exchange_identification: Connection closed by remote host".
    ///
    /// ## Example
    /// ```text
    /// listen bitbucket-ssh
    ///     bind :7999
    ///     mode http
    ///     server bb 127.0.0.1:7999
    /// ```
    ///
    /// Use instead: `mode tcp`.
    pub struct HaproxySshInHttpMode {
        id: "haproxy-ssh-in-http-mode",
        summary: "an HAProxy `frontend`, `listen` or `backend` in `mode http` (its own or its `defaults`') that listens on Bitbucket's SSH port or forwards to it",
        severity: Error,
        scope: "haproxy",
        formats: [Haproxy],
    }
}

impl Rule for HaproxySshInHttpMode {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        let mut ports = cx.topology().ssh_ports.clone();
        ports.push(BITBUCKET_SSH_PORT);
        for config in haproxy_configs(cx.files) {
            for (index, section) in config.sections.iter().enumerate() {
                if !matches!(section.kind(), "frontend" | "listen" | "backend") {
                    continue;
                }
                if mode(section, config.defaults_of(index)) != "http" {
                    continue;
                }
                let binds = section.find(&["bind"]).filter_map(|b| {
                    let word = b.args().first()?;
                    Some((bind_port(word.text)?, word.span))
                });
                let servers = section.find(&["server"]).filter_map(|s| {
                    let word = s.args().get(1)?;
                    let address = word.text.rsplit_once('@').map_or(word.text.as_ref(), |(_, a)| a);
                    Some((split_host_port(address).1?.parse::<u16>().ok()?, word.span))
                });
                let Some((port, span)) = binds.chain(servers).find(|(port, _)| ports.contains(port)) else { continue };
                let mode_span = section.find(&["mode"]).last().map(|m| m.span);
                let diagnostic = sink.emit(
                    span,
                    "Bitbucket SSH",
                    format!(
                        "{} carries Bitbucket's SSH port {port} in `mode http`: SSH needs `mode tcp`",
                        describe(section)
                    ),
                );
                if let Some(mode_span) = mode_span {
                    diagnostic.related(mode_span, "HTTP mode set here");
                }
                diagnostic.help("put SSH in its own `listen`/`frontend` with `mode tcp`");
            }
        }
    }
}
