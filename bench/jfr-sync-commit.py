#!/usr/bin/env python3
"""Where a sync page commit spends its time: `bench/jfr-sync-commit.py target/bench-sync-throughput.jfr`.

CPU samples (jdk.ExecutionSample) and socket-read waits in ms (jdk.SocketRead, i.e. waiting for PostgreSQL) per
thread, and the weight of stacks containing each marker frame (upsert, hashing, CloudEvent envelope, outbox insert,
checkpoint, relay, Kafka, ...). A marker counts every sample whose stack contains it, so markers overlap."""
import collections
import re
import subprocess
import sys

path=sys.argv[1]
def blocks(ev):
    t=subprocess.run(["jfr","print","--stack-depth","300","--events",ev,path],capture_output=True,text=True).stdout
    return t.split(ev)[1:]
markers=[("commitPage","SyncEngine.commitPage"),("records.apply(upsert)","RecordStore.applyInSql"),("hash","RecordStore.hash"),
 ("write data json","RecordStore.write"),("publishChanges","SyncEngine.publishChanges"),("envelope","EventPublisher.envelope"),
 ("outbox.enqueueAll","Outbox.enqueueAll"),("pg array create","PgConnection.createArrayOf"),("checkpoint","SyncRunRepository.checkpoint"),
 ("transform","SyncEngine.transform"),("page http","sync.run.page"),("relay","OutboxRelay"),("kafka","org.apache.kafka"),("kafka broker","kafka.server"),
 ("pg driver","org.postgresql"),("jackson","com.fasterxml.jackson"),("LoopbackProvider","LoopbackProvider"),("camel http","org.apache.camel.component.http")]
for ev in ["jdk.ExecutionSample","jdk.SocketRead"]:
    bs=blocks(ev)
    stacks=[]
    for b in bs:
        fr=re.findall(r"^\s+([\w$.<>/]+)\(.*?\)\s+line:",b,re.M)
        th=re.search(r'(?:sampledThread|eventThread) = "([^"]*)"',b)
        dur=re.search(r"duration = ([\d.]+) (ms|s|us)",b)
        d=0
        if dur:
            d=float(dur.group(1))*{"ms":1,"s":1000,"us":0.001}[dur.group(2)]
        stacks.append((fr, th.group(1) if th else "?", d))
    print("==",ev,len(stacks))
    threads=collections.Counter()
    for fr,th,d in stacks: threads[re.sub(r"\d+","#",th)]+= (d if ev!="jdk.ExecutionSample" else 1)
    print(" by thread:",threads.most_common(8))
    wk=[s for s in stacks if any("SyncEngine" in f for f in s[0])]
    tot=sum((d if ev!="jdk.ExecutionSample" else 1) for _,_,d in wk)
    print(" sync worker stacks:",len(wk),"weight",round(tot,1))
    for name,m in markers:
        w=sum((d if ev!="jdk.ExecutionSample" else 1) for fr,_,d in stacks if any(m in f for f in fr))
        print(f"  {name:25s} {w:10.1f}")
    if ev=="jdk.ExecutionSample":
        top=collections.Counter()
        for fr,_,_ in stacks:
            if any("commitPage" in f for f in fr):
                top[fr[0]]+=1
        print(" top frames under commitPage:",top.most_common(12))
