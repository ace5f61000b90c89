#!/usr/bin/python3
"""Composes the campaign stream: six interleaved waves made from the containers
in tests/fixtures/campaign_stream/ (built by make_campaign_stream.sh with real
writers) plus ham from the shared corpora and the benign campaign fixtures.
Python's email package writes every message. Deterministic (seeded).

Within a wave the sender's address, the subject's numbers and reference codes,
the recipients, the attachment's name and the payload variant (its hash) vary;
what stays is what a real actor keeps: the implant's configuration, the code and
icon, the container layout, the lure template, the sending infrastructure. Two
waves (sba_img, eidl_zip) share the SBA brand and nothing else.

Usage: make_stream.py --fixtures DIR --corpora DIR --out DIR [--scale N]
(--scale multiplies every wave's size, for benchmarks; the test uses 1.)
Writes OUT/NNNN-<label>.eml and OUT/truth.tsv (file, label, kind).
"""
import argparse
import datetime
import email.policy
import email.utils
import gzip
import os
import random
import string
from email.message import EmailMessage

T0 = datetime.datetime(2020, 5, 18, 8, 0, tzinfo=datetime.timezone.utc)

WAVES = [
    dict(label="sba_img", count=10, start_h=0, span_h=30,
         display="U.S. Small Business Administration", domains=["sba-loan-relief.com", "sba-relief-center.com"],
         ips=["203.0.113.10", "203.0.113.11"], rdns="mail{n}.sba-loan-relief.com",
         subject="SBA Disaster Loan Application #{num5} - approval notice",
         body="Dear applicant,\n\nYour Economic Injury Disaster Loan application #{num5} dated {date} has been "
              "pre-approved. Open the attached application form and confirm your details before {date}.\n\n"
              "U.S. Small Business Administration\nOffice of Disaster Assistance\n",
         rcpt=["bakery{n}.example", "autoshop{n}.example", "florist{n}.example"],
         file="sba_img_v{v}.img.gz", name="SBA_Loan_Application_{num5}.img", ctype=("application", "octet-stream")),
    dict(label="cdc_iso", count=10, start_h=20, span_h=36,
         display="CDC Health Alert Network", domains=["cdc-gov-alerts.com"],
         ips=["198.51.100.20", "198.51.100.21"], rdns="smtp{n}.cdc-gov-alerts.com",
         subject="HAN Health Advisory {num3}: Coronavirus Disease 2019 (COVID-19) update",
         body="Distributed via the CDC Health Alert Network\n{date}\nCDCHAN-{num5}\n\nThe attached advisory "
              "describes updated guidance for manufacturers on COVID-19 exposure in the workplace. Read it before "
              "your next shift.\n",
         rcpt=["hanil-motors{n}.co.kr", "daesung-steel{n}.co.kr", "kumho-parts{n}.co.kr"],
         file="cdc_iso_v{v}.iso.gz", name="HAN_Alert_{num3}.iso", ctype=("application", "octet-stream")),
    dict(label="aicpa_zip_iso", count=8, start_h=50, span_h=24,
         display="AICPA", domains=["aicpa-members.com", "aicpa-notices.com"],
         ips=["192.0.2.33"], rdns="out.aicpa-members.com",
         subject="AICPA: Important notice regarding your membership {code}",
         body="Dear member,\n\nOur records show an issue with your CPA membership {code}. Please review the "
              "attached notice and respond within 48 hours.\n\nAmerican Institute of CPAs\n",
         rcpt=["smithcpa{n}.example", "taxpartners{n}.example"],
         file="aicpa_zip_v{v}.zip.gz", name="AICPA_Notice_{num3}.zip", ctype=("application", "zip")),
    dict(label="eidl_zip", count=8, start_h=80, span_h=20,
         display="SBA Office of Disaster Assistance", domains=["sba-eidl-grants.net"],
         ips=["100.24.7.9"], rdns="relay.sba-eidl-grants.net",
         subject="Your EIDL grant status: action required (ref {code})",
         body="Hello,\n\nWe could not process your Emergency Economic Injury grant ({code}). Fill in the attached "
              "grant form today to keep your place in the queue.\n\nThank you\n",
         rcpt=["plumbing{n}.example", "cafe{n}.example"],
         file="eidl_zip_v{v}.zip.gz", name="EIDL_Grant_{num5}.zip", ctype=("application", "zip")),
    dict(label="dhl_lnk", count=8, start_h=10, span_h=60,
         display="DHL Express", domains=["dhl-delivery-support.com"],
         ips=["203.0.113.77"], rdns="mx.dhl-delivery-support.com",
         subject="DHL Shipment Notification: parcel {num5} on hold",
         body="Your parcel {num5} could not be delivered on {date} because of unpaid customs duties. "
              "Open the attached delivery notice to arrange a new delivery date.\n\nDHL Express Customer Service\n",
         rcpt=["logistics{n}.example", "import-export{n}.example"],
         file="dhl_iso_v{v}.iso.gz", name="Parcel_Notice_{num5}.iso", ctype=("application", "octet-stream")),
    dict(label="bank_pw_zip", count=8, start_h=100, span_h=30,
         display="Bank of America Alerts", domains=["boa-secure-statements.com"],
         ips=["198.51.100.140"], rdns="mail.boa-secure-statements.com",
         subject="Your account statement for {date} is ready",
         body="Dear customer,\n\nYour account statement is attached. The document is protected.\nPassword: "
              "{password}\n\nBank of America Online Banking\n",
         rcpt=["gmail-lookalike{n}.example", "homeuser{n}.example"],
         file="bank_zip_v{v}.zip.gz", name="Statement_{num5}.zip", ctype=("application", "zip")),
]


def fill(template, rnd, when, variant):
    return template.format(
        num5=rnd.randrange(10000, 99999), num3=rnd.randrange(100, 999), n=rnd.randrange(1, 40),
        code="".join(rnd.choice(string.ascii_uppercase) for _ in range(2)) + str(rnd.randrange(1000, 9999)),
        date=when.strftime("%Y-%m-%d"), password="May2020x%d" % variant)


def wave_messages(w, fixtures, rnd, scale=1):
    out = []
    count = w["count"] * scale
    for i in range(count):
        when = T0 + datetime.timedelta(hours=w["start_h"] + w["span_h"] * i / max(1, count - 1),
                                       minutes=rnd.randrange(0, 50))
        variant = 1 + i % 3
        domain = w["domains"][i % len(w["domains"])]
        msg = EmailMessage(policy=email.policy.SMTP)
        ip = w["ips"][i % len(w["ips"])]
        rdns = w["rdns"].format(n=1 + i % 3)
        msg["Received"] = ("from %s (%s [%s]) by mx.victim.example (Postfix) with ESMTP id %s; %s"
                           % (rdns, rdns, ip, "".join(rnd.choice("0123456789ABCDEF") for _ in range(10)),
                              email.utils.format_datetime(when)))
        msg["Received"] = ("from mx.victim.example (mx.victim.example [10.0.0.5]) by mailstore.victim.example "
                           "(Postfix) with LMTP; %s" % email.utils.format_datetime(when))
        local = rnd.choice(["notice", "alerts", "info", "support", "service"]) + str(rnd.randrange(1, 99))
        msg["From"] = email.utils.formataddr((w["display"], "%s@%s" % (local, domain)))
        recipients = []
        for _ in range(rnd.randrange(1, 3)):
            rd = rnd.choice(w["rcpt"]).format(n=rnd.randrange(1, 40))
            recipients.append("%s@%s" % (rnd.choice(["office", "ceo", "accounts", "hr"]), rd))
        msg["To"] = ", ".join(recipients)
        msg["Subject"] = fill(w["subject"], rnd, when, variant)
        msg["Date"] = email.utils.format_datetime(when)
        msg["Message-ID"] = "<%s-%03d@%s>" % (w["label"], i, domain)
        msg.set_content(fill(w["body"], rnd, when, variant))
        with gzip.open(os.path.join(fixtures, w["file"].format(v=variant)), "rb") as f:
            data = f.read()
        msg.add_attachment(data, maintype=w["ctype"][0], subtype=w["ctype"][1],
                           filename=fill(w["name"], rnd, when, variant))
        out.append((when, w["label"], msg.as_bytes()))
    return out


def ham(corpora, fixtures_root):
    files = []
    easy = os.path.join(corpora, "ham", "spamassassin-corpus", "easy-ham-1")
    files += [os.path.join(easy, f) for f in sorted(os.listdir(easy))[:24]]
    linaro = os.path.join(corpora, "ham", "linaro-mm-sig")
    files += [os.path.join(linaro, f) for f in sorted(os.listdir(linaro))[:12]]
    bench = os.path.join(fixtures_root, "campaigns")
    files += [os.path.join(bench, f) for f in sorted(os.listdir(bench)) if f.startswith("benign_")]
    return files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixtures", required=True, help="tests/fixtures")
    ap.add_argument("--corpora", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--scale", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(2020)
    stream = os.path.join(a.fixtures, "campaign_stream")
    msgs = []
    for w in WAVES:
        msgs += wave_messages(w, stream, rnd, a.scale)
    msgs.sort(key=lambda m: m[0])
    items = [(label, data) for _, label, data in msgs]
    for path in ham(a.corpora, a.fixtures):
        with open(path, "rb") as f:
            data = f.read()
        items.insert(rnd.randrange(0, len(items) + 1), ("ham:" + os.path.basename(path), data))
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "truth.tsv"), "w") as truth:
        for i, (label, data) in enumerate(items):
            name = "%04d.eml" % i
            with open(os.path.join(a.out, name), "wb") as f:
                f.write(data)
            kind = "ham" if label.startswith("ham:") else "campaign"
            truth.write("%s\t%s\t%s\n" % (name, label, kind))


if __name__ == "__main__":
    main()
