#!/usr/bin/env python3
"""Where the CPU samples of a JFR recording went: `bench/jfr-summary.py recording.jfr [top] [from to]`.

`from`/`to` (HH:MM:SS[.fff], the recording's local clock) keep only the samples of that window, e.g. one
phase of a benchmark when the recording also covers start-up.

Reads `jfr print --events jdk.ExecutionSample` (JDK tool) and prints (1) self time by the package of the
top frame, (2) inclusive time of a few markers of the hub's request paths, (3) the hottest top frames.
"""
import collections
import re
import subprocess
import sys

path = sys.argv[1]
top_n = int(sys.argv[2]) if len(sys.argv) > 2 else 15
window = (sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else None
text = subprocess.run(["jfr", "print", "--stack-depth", "300", "--events", "jdk.ExecutionSample", path], capture_output=True, text=True,
                      check=True).stdout
stacks = []
for block in text.split("jdk.ExecutionSample")[1:]:
    frames = re.findall(r"^\s+([\w$.<>/]+)\(.*?\)\s+line:", block, re.M)
    if window:
        at = re.search(r"startTime = (\d\d:\d\d:\d\d(?:\.\d+)?)", block)
        if not at or not (window[0] <= at.group(1) <= window[1]):
            continue
    if frames:
        stacks.append(frames)
total = len(stacks)
print(f"{total} execution samples")

def bucket(frame):
    for prefix, name in [("org.h2.", "H2"), ("org.postgresql.", "PostgreSQL driver"), ("com.zaxxer.hikari", "Hikari"),
                         ("org.apache.kafka.", "Kafka (client + embedded broker)"), ("kafka.", "Kafka (client + embedded broker)"),
                         ("org.apache.camel.", "Camel"), ("org.apache.coyote", "Tomcat"), ("org.apache.tomcat", "Tomcat"),
                         ("org.apache.catalina", "Tomcat"), ("com.fasterxml.jackson", "Jackson"),
                         ("org.springframework.", "Spring"), ("io.integrationhub.", "hub code"),
                         ("com.sun.crypto", "crypto (HMAC/SHA)"), ("sun.security", "crypto (HMAC/SHA)"),
                         ("javax.crypto", "crypto (HMAC/SHA)"), ("sun.nio.", "JDK I/O"), ("java.io.", "JDK I/O"),
                         ("sun.nio.ch", "JDK I/O"), ("java.util.regex", "regex"), ("org.quartz", "Quartz"),
                         ("io.micrometer", "Micrometer")]:
        if frame.startswith(prefix):
            return name
    return "other JDK / lib"

self_by = collections.Counter(bucket(s[0]) for s in stacks)
print("\nself time by top frame:")
for name, n in self_by.most_common():
    print(f"  {100.0 * n / total:5.1f}%  {name}")

markers = [("webhooks: verify (signature check)", "Verifier.check"),
           ("webhooks: inbox + outbox transaction (WebhookIngress.store)", "WebhookIngress.store"),
           ("webhooks: connection lookup", "WebhookIngress.targets"),
           ("outbox relay (claim, send, delete)", "OutboxRelay."),
           ("outbox relay route (incl. Kafka send)", "Outbox"),
           ("outbox relay Kafka send (camel-kafka producer)", "KafkaProducer.process"),
           ("webhook consumer (claim + dispatch)", "WebhookPipeline."),
           ("embedded Kafka broker", "kafka.server."),
           ("Tomcat request handling (lower bound: deep stacks are cut at the root)",
            "org.apache.coyote.http11.Http11Processor.service"),
           ("Spring MVC handler mapping lookup", "AbstractHandlerMethodMapping.lookupHandlerMethod"),
           ("Spring Security request firewall", "StrictHttpFirewall"),
           ("H2 (all)", "org.h2."),
           ("H2 commit / file store", "org.h2.mvstore"),
           ("H2 background writer (file store)", "org.h2.mvstore.MVStore$BackgroundWriterThread"),
           ("Micrometer / observation", "io.micrometer."),
           ("Jolokia/Hawtio", "org.jolokia"),
           ("JDBC in PostgreSQL driver", "org.postgresql.")]
print("\ninclusive time of markers (a sample counts when the marker is anywhere on its stack):")
for name, marker in markers:
    n = sum(1 for s in stacks if any(marker in f for f in s))
    print(f"  {100.0 * n / total:5.1f}%  {name}")

print(f"\nhottest {top_n} top frames:")
for frame, n in collections.Counter(s[0] for s in stacks).most_common(top_n):
    print(f"  {100.0 * n / total:5.1f}%  {frame}")
