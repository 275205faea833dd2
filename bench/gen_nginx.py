#!/usr/bin/env python3
"""A large nginx configuration for the benchmarks: a main `nginx.conf` whose `http` block
includes `conf.d/*.conf`, which hold N server blocks (100 a file), each with an upstream,
TLS settings and a few locations in front of an Atlassian application (the shapes
Atlassian's nginx guides use), told apart by name on one port as a large site would.

    usage: bench/gen_nginx.py N OUTDIR    (writes OUTDIR/nginx.conf and OUTDIR/conf.d/)
"""
import os
import sys


def main(n, outdir):
    os.makedirs(outdir, exist_ok=True)
    apps = [("jira", 8080, "/jira"), ("confluence", 8090, "/confluence"), ("bitbucket", 7990, "/bitbucket")]
    out = [
        "worker_processes auto;",
        "events {",
        "    worker_connections 1024;",
        "}",
        "http {",
        "    sendfile on;",
        "    gzip off;",
        "    server_names_hash_max_size 131072;",
        "    server_names_hash_bucket_size 128;",
        "    map $http_upgrade $connection_upgrade {",
        "        default upgrade;",
        "        ''      close;",
        "    }",
        "    include conf.d/*.conf;",
        "}",
    ]
    with open(os.path.join(outdir, "nginx.conf"), "w") as f:
        f.write("\n".join(out) + "\n")
    os.makedirs(os.path.join(outdir, "conf.d"), exist_ok=True)
    out = []
    for i in range(n):
        name, port, path = apps[i % len(apps)]
        host = f"{name}{i}.example.com"
        out += [
            f"    upstream {name}_{i} {{",
            f"        server 127.0.0.{1 + i % 250}:{port} max_fails=3 fail_timeout=30s;",
            "        keepalive 16;",
            "    }",
            "    server {",
            "        listen 443 ssl;",
            f"        server_name {host};",
            "        ssl_certificate     /etc/nginx/ssl/site.crt;",
            "        ssl_certificate_key /etc/nginx/ssl/site.key;",
            "        ssl_protocols TLSv1.2 TLSv1.3;",
            "        ssl_ciphers HIGH:!aNULL:!MD5;",
            "        client_max_body_size 100m;",
            "        # the application behind this server",
            f"        location {path} {{",
            "            proxy_set_header X-Forwarded-Host $host;",
            "            proxy_set_header X-Forwarded-Server $host;",
            "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
            "            proxy_read_timeout 300s;",
            f"            proxy_pass http://{name}_{i}{path};",
            "        }",
            "        location /synchrony {",
            "            proxy_http_version 1.1;",
            "            proxy_set_header Upgrade $http_upgrade;",
            "            proxy_set_header Connection $connection_upgrade;",
            f"            proxy_pass http://127.0.0.{1 + i % 250}:8091/synchrony;",
            "        }",
            f"        location = /status {{ return 200 \"ok {i}\"; }}",
            "    }",
        ]
        if i % 100 == 99 or i == n - 1:
            with open(os.path.join(outdir, "conf.d", f"sites-{i // 100:04d}.conf"), "w") as f:
                f.write("\n".join(out) + "\n")
            out = []


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(int(sys.argv[1]), sys.argv[2])
