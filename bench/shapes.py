#!/usr/bin/env python3
"""Pathological inputs for bench/compare.sh: shapes that once cost quadratic time or memory.

usage: shapes.py SHAPE COUNT DIR   (writes one file, named as atl-lint recognises it, in DIR)

  proxypass   one <VirtualHost> with COUNT ProxyPass lines (none covers another)
  nested      COUNT nested <IfModule> containers around one ProxyPass
  template    COUNT unclosed `{{ ` openers in a templated bitbucket.properties
  lines       COUNT one-word lines, each an unknown Apache directive (a finding a line)
  if          COUNT nested HAProxy `.if` blocks
  value       one bitbucket.properties value of COUNT bytes
  nginx-locations  one nginx server with COUNT proxying locations, under COUNT header lines
  nginx-nested     COUNT nested nginx locations around one proxy_pass
"""
import os
import sys


def main():
    shape, count, directory = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(directory, exist_ok=True)
    name = {
        "template": "bitbucket.properties.j2",
        "if": "haproxy.cfg",
        "value": "bitbucket.properties",
        "nginx-locations": "nginx.conf",
        "nginx-nested": "nginx.conf",
    }
    path = os.path.join(directory, name.get(shape, "httpd.conf"))
    with open(path, "w") as out:
        if shape == "proxypass":
            out.write("<VirtualHost *:80>\n    ServerName example.com\n")
            out.writelines(f"    ProxyPass /app{i} http://localhost:8080/app{i}\n" for i in range(count))
            out.write("</VirtualHost>\n")
        elif shape == "nested":
            out.write("<IfModule mod_proxy.c>\n" * count)
            out.write("ProxyPass / http://localhost:8080/\n")
            out.write("</IfModule>\n" * count)
        elif shape == "template":
            out.write("server.port=7990\n" + "{{ " * count)
        elif shape == "lines":
            out.write("x\n" * count)
        elif shape == "if":
            out.write("global\n" + ".if defined(X)\n" * count + ".endif\n" * count)
        elif shape == "nginx-locations":
            out.write("server {\n    listen 80;\n" + "    proxy_set_header X-A a;\n" * count)
            out.writelines(f"    location /p{i} {{ proxy_pass http://127.0.0.1:8080; }}\n" for i in range(count))
            out.write("}\n")
        elif shape == "nginx-nested":
            out.write("server {\n" + "location /a {\n" * count + "proxy_pass http://x:1;\n" + "}\n" * count + "}\n")
        elif shape == "value":
            out.write("server.context-path=/" + "x" * count + "\n")
        else:
            sys.exit(f"unknown shape {shape}")


if __name__ == "__main__":
    main()
