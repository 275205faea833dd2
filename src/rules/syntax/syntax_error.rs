//! `syntax-error`: a file that cannot be read as its format at some point.

use crate::rules::{declare_rule, Context, Rule, Sink};
use crate::syntax::Tree;

declare_rule! {
    /// ## What it does
    /// Flags the places where a file cannot be read as its format: malformed XML in
    /// `server.xml` (an unclosed or mismatched tag, a raw `<` in an attribute value, an unknown
    /// entity), or an invalid `\uXXXX` escape in a properties file.
    ///
    /// ## Why is this bad?
    /// Tomcat refuses to start with a `server.xml` that is not well-formed XML, and Java's
    /// `Properties.load` throws on a malformed `\u` escape, so Bitbucket does not start either.
    /// atl-lint keeps reading after the error, so every other finding is still reported.
    ///
    /// ## Example
    /// ```xml
    /// <Connector port="8080" proxyName="jira.example.com"
    /// </Service>
    /// ```
    ///
    /// Use instead:
    /// ```xml
    /// <Connector port="8080" proxyName="jira.example.com"/>
    /// </Service>
    /// ```
    pub struct SyntaxError {
        id: "syntax-error",
        summary: "the places where a file cannot be read as its format",
        severity: Error,
        scope: "syntax",
        formats: [Haproxy, Apache, TomcatServerXml, BitbucketProperties, Nginx, Compose, DotEnv, HelmValues, Kube, Traefik],
    }
}

impl Rule for SyntaxError {
    fn check(&self, cx: &Context<'_>, sink: &mut Sink<'_>) {
        for file in cx.files {
            let help = match file.tree {
                Tree::ServerXml(_) => "Tomcat refuses to start until server.xml is well-formed XML",
                Tree::Properties(_) => {
                    "write the character as `\\u` and four hexadecimal digits, or escape the backslash as `\\\\`"
                }
                Tree::Haproxy(_) => "`haproxy -c` refuses the file: HAProxy will not start until this is fixed",
                Tree::Apache(_) => "`apachectl -t` refuses the file: Apache will not start until this is fixed",
                Tree::Nginx(_) => "`nginx -t` refuses the file: nginx will not start until this is fixed",
                Tree::Compose(_) => {
                    "`docker compose config` refuses the file: the stack will not start until this is fixed"
                }
                Tree::DotEnv(_) => "Compose refuses the file: write each variable as `NAME=value`",
                Tree::HelmValues(_) => {
                    "`helm` refuses the values file: the release will not install until this is fixed"
                }
                Tree::Kube(_) => "`kubectl apply` refuses the file: nothing in it is applied until this is fixed",
                Tree::Traefik(_) => "Traefik refuses the file: it does not start (static configuration) or ignores the file (dynamic) until this is fixed",
            };
            for problem in file.problems() {
                let diagnostic = sink.emit(problem.span, problem.label.clone(), problem.message.clone());
                if let Some((span, label)) = &problem.related {
                    diagnostic.related(*span, label.clone());
                }
                diagnostic.help(help);
            }
        }
    }
}
