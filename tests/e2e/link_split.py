#!/usr/bin/env python3
"""Splits a `ctip demo generate` CSV in two at a case boundary, keeping together the cases
that share a person record (an import takes each record once): the first FRACTION of the
groups go to FIRST, the rest to SECOND.  link_split.py DATA.csv FRACTION FIRST SECOND"""
import csv,sys
src,frac,o1,o2=sys.argv[1],float(sys.argv[2]),sys.argv[3],sys.argv[4]
rows=list(csv.reader(open(src,newline='',encoding='utf-8')))
h=rows[0]; ci=h.index('src_CaseId'); oi=h.index('src_Organisation'); ri=h.index('src_RecordId')
par={}
def f(x):
    while par.setdefault(x,x)!=x:
        par[x]=par[par[x]]; x=par[x]
    return x
for r in rows[1:]:
    a=f(('c',r[oi],r[ci])); b=f(('p',r[oi],r[ri])); par[a]=b
order=[]; seen=set()
for r in rows[1:]:
    k=f(('c',r[oi],r[ci]))
    if k not in seen: seen.add(k); order.append(k)
cut=set(order[:int(len(order)*frac)])
w1=csv.writer(open(o1,'w',newline='',encoding='utf-8')); w2=csv.writer(open(o2,'w',newline='',encoding='utf-8'))
w1.writerow(h); w2.writerow(h)
for r in rows[1:]:
    (w1 if f(('c',r[oi],r[ci])) in cut else w2).writerow(r)
