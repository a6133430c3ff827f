"""End-to-end: partner HR release (issue #14) through the gateway against the
real binaries. The 松阪市 HR key pulls attendance, plan stage versions and the
survey profile of its consenting staff; sees nothing of another town or of
anyone who did not consent; loses access when consent is revoked; every pull
is in the provision records; a signed offline bundle is made, verified,
tampered with and refused. Imported by e2e_test.py (one runner); its own
stack and cohort."""

import csv
import datetime
import io
import os
import shutil
import subprocess
import tempfile
import unittest

import kaizen_stack
from fixtures import PRE_SURVEY, rfc3339, survey_answers

COHORT = "cohorts/e2e-partner"
MATSUSAKA, TSU = "242047", "242012"
NOT_SHARED = "NOT_SHARED_WITH_PARTNER"


def member(name, kana, n, town, attendance, plan, profile):
    return {"members": [{
        "displayName": name, "kana": kana, "email": "partner%d@example.jp" % n,
        "municipalityCode": town, "department": "総務部 人事課",
        "birthDate": {"year": 1992, "month": 6, "day": 1},
        "motivation": "職場の改善を広げたい。",
        "consent": {"shareAttendance": attendance, "shareActionPlan": plan,
                    "shareSurveyProfile": profile}}]}


class PartnerRelease(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = kaizen_stack.Stack()
        cls.hr_matsusaka = cls.stack.add_api_key("matsusaka-hr", MATSUSAKA)
        cls.hr_tsu = cls.stack.add_api_key("tsu-hr", TSU)
        cls.stack.start_all()
        s = cls.stack
        cls.secretariat = s.token("partner-secretariat", ["secretariat"])
        cls.navigator = s.token("partner-navigator", ["navigator"])
        cls.a = s.token("partner-a", ["participant"])  # 松阪市, shares everything
        cls.b = s.token("partner-b", ["participant"])  # 松阪市, shares nothing
        cls.c = s.token("partner-c", ["participant"])  # 津市, shares everything

    @classmethod
    def tearDownClass(cls):
        codes = cls.stack.stop_all()
        assert all(c == 0 for c in codes.values()), "a process did not stop cleanly: %s" % codes

    def call(self, method, path, body=None, token=None, headers=None, expect=200):
        status, _, payload = self.stack.http(method, path, body, token, headers)
        self.assertEqual(status, expect, "%s %s -> %s %s" % (method, path, status, payload))
        return payload

    def as_key(self, key, path, expect=200):
        return self.call("GET", path, headers={"X-Api-Key": key}, expect=expect)

    def refused_to_key(self, key, path):
        error = self.as_key(key, path, expect=403)["error"]
        self.assertIn(NOT_SHARED, [d.get("reason") for d in error["details"]], error)
        return error["message"]

    def whole_feed(self, key):
        changes, cursor = [], ""
        for _ in range(100):
            page = self.as_key(key, "/v1/changes?pageSize=50&cursor=" + cursor)
            changes += page.get("changes", [])
            if page["nextCursor"] == cursor:
                return changes, cursor
            cursor = page["nextCursor"]
        self.fail("the feed's cursor never stopped moving")

    def provision_records(self, query=""):
        return self.call("GET", "/v1/provisionRecords?pageSize=100" + query,
                         token=self.secretariat).get("provisionRecords", [])

    def setup_programme(self):
        now = datetime.datetime.utcnow()
        self.call("POST", "/v1/cohorts?cohortId=e2e-partner", {
            "title": "2022年度 改善リーダー（パートナー確認）", "fiscalYear": 2022, "capacity": 6,
            "maxMunicipalities": 3,
            "applicationOpenTime": rfc3339(now - datetime.timedelta(hours=1)),
            "applicationCloseTime": rfc3339(now + datetime.timedelta(days=30))},
            token=self.secretariat)
        self.call("POST", "/v1/%s:transition" % COHORT, {"state": "OPEN"}, token=self.secretariat)
        apps = [
            self.call("POST", "/v1/%s/applications" % COHORT,
                      member("松阪 花子", "まつさか はなこ", 1, MATSUSAKA, True, True, True), token=self.a),
            self.call("POST", "/v1/%s/applications" % COHORT,
                      member("松阪 次郎", "まつさか じろう", 2, MATSUSAKA, False, False, False), token=self.b),
            self.call("POST", "/v1/%s/applications" % COHORT,
                      member("津 三郎", "つ さぶろう", 3, TSU, True, True, True), token=self.c),
        ]
        self.assertEqual([a["state"] for a in apps], ["ACCEPTED"] * 3)
        pa, pb, pc = (a["participants"][0] for a in apps)
        self.call("POST", "/v1/%s/participants" % COHORT, {
            "displayName": "架空 ナビ", "role": "NAVIGATOR", "subject": "partner-navigator"},
            token=self.secretariat)
        # The FY2022 series: meeting 1 on 24 July 2022 has been held.
        self.call("POST", "/v1/%s/meetings:createSeries" % COHORT, {
            "template": "templates/next-gen-leaders-fy2022", "startYear": 2022,
            "firstMeetingStart": "2022-07-24T00:00:00Z"}, token=self.secretariat)
        self.call("POST", "/v1/%s/meetings/m1/attendance:record" % COHORT, {"records": [
            {"participant": pa, "status": "PRESENT"}, {"participant": pb, "status": "ABSENT"},
            {"participant": pc, "status": "LATE"}]}, token=self.navigator)
        # Meeting 6 took place on 10 December 2022 (its date entered afterwards).
        self.call("POST", "/v1/%s/meetings/m6:schedule" % COHORT, {
            "startTime": "2022-12-10T01:00:00Z", "reason": "開催済みの日程を登録"},
            token=self.secretariat)
        # A's plan, presented late by the secretariat (meeting 6 was in December 2022).
        plan = self.call("POST", "/v1/%s/plans" % COHORT, {
            "title": "係から広げる改善の輪", "draft": {
                "vision": "5年後、松阪市役所で「改善は楽しい」と言える職員を増やす。",
                "actions": [{"id": "a1", "title": "係内で改善ミーティングを始める",
                             "description": "毎月一回、小さな改善を共有する。", "targetResult": "PEERS",
                             "stakeholders": ["PEERS_AROUND"], "timeframe": "1年目",
                             "indicator": "参加者数", "status": "PLANNED"}]}}, token=self.a)
        self.call("POST", "/v1/%s:commit" % plan["name"],
                  {"etag": plan["etag"], "message": "時点版"}, token=self.a)
        plan = self.call("GET", "/v1/" + plan["name"], token=self.a)
        self.call("POST", "/v1/%s:submitStage" % plan["name"], {
            "stage": "INTERIM", "etag": plan["etag"], "lateReason": "発表済みの時点版を登録"},
            token=self.secretariat)
        # A survey wave open now; A and C submit, A shares one free text.
        wave = self.call("POST", "/v1/%s/waves" % COHORT, {
            "kind": "PRE", "instrumentVersion": PRE_SURVEY,
            "openTime": rfc3339(now - datetime.timedelta(hours=1)),
            "closeTime": rfc3339(now + datetime.timedelta(days=1))}, token=self.secretariat)
        answers = survey_answers({"wall-peers": [5, 4, 2, 4]}, wall_now="同僚が忙しく提案が進まない。")
        for x in answers:
            if x["itemId"] == "free-wall-now":
                x["shareWithEmployer"] = True
        self.call("POST", "/v1/%s/responses:save" % wave["name"],
                  {"answers": answers, "submit": True}, token=self.a)
        self.call("POST", "/v1/%s/responses:save" % wave["name"],
                  {"answers": survey_answers({}), "submit": True}, token=self.c)
        return pa, pb, pc, plan["name"]

    def test_partner_release(self):
        pa, pb, pc, plan = self.setup_programme()
        hr = self.hr_matsusaka

        # --- the feed tells the partner what changed, per category, own staff only
        changes, cursor = self.whole_feed(hr)
        # B shares nothing, so the feed does not even name them; C works in 津市.
        self.assertEqual({c["participant"] for c in changes}, {pa})
        results = {(c["participant"], c["category"]) for c in changes if c["kind"] == "RESULT_CHANGED"}
        self.assertEqual(results, {(pa, "SHARE_ATTENDANCE"), (pa, "SHARE_ACTION_PLAN"),
                                   (pa, "SHARE_SURVEY_PROFILE")})

        # --- the three results, each from the service that owns it
        attendance = self.as_key(hr, "/v1/%s/sharedAttendance" % pa)
        self.assertEqual((attendance["held"], attendance["attended"]), (1, 1))
        self.assertEqual(attendance["meetings"][0]["status"], "PRESENT")
        self.assertEqual(attendance["rate"], 1)
        stages = self.as_key(hr, "/v1/%s/sharedPlanStages" % pa)
        self.assertEqual(stages["plans"][0]["plan"], plan)
        self.assertEqual(stages["plans"][0]["stages"][0]["stage"], "INTERIM")
        self.assertIn("改善は楽しい", stages["plans"][0]["stages"][0]["content"]["vision"])
        profile = self.as_key(hr, "/v1/%s/sharedSurveyProfile" % pa)
        self.assertEqual(len(profile["waves"]), 1)
        self.assertTrue(profile["waves"][0]["profile"]["wallsRanked"])
        self.assertEqual([t["text"] for t in profile["sharedText"]], ["同僚が忙しく提案が進まない。"])

        # --- nothing of someone who did not consent, of another town, or of nobody:
        # one answer for all
        messages = {self.refused_to_key(hr, "/v1/%s/%s" % (p, route))
                    for p in (pb, pc, COHORT + "/participants/nobody")
                    for route in ("sharedAttendance", "sharedPlanStages", "sharedSurveyProfile")}
        self.assertEqual(len(messages), 1, messages)
        self.refused_to_key(self.hr_tsu, "/v1/%s/sharedAttendance" % pa)
        self.as_key(self.hr_tsu, "/v1/%s/sharedAttendance" % pc)
        # A cohort mate may not read A's shared results; A may.
        self.call("GET", "/v1/%s/sharedAttendance" % pa, token=self.b, expect=403)
        self.call("GET", "/v1/%s/sharedAttendance" % pa, token=self.a)

        # --- every pull is recorded (APPI Art. 29): who, whom, what, when, consent
        everything = self.provision_records("&municipalityCode=" + MATSUSAKA)
        # The feed named A (who they are): recorded as well, as its own kind.
        named = [r for r in everything if r["category"] == "SHARE_CATEGORY_UNSPECIFIED"]
        self.assertTrue(named and all(r["participant"] == pa for r in named), named)
        self.assertIn("feed.display_name", named[0]["dataItems"])
        records = [r for r in everything if r["category"] != "SHARE_CATEGORY_UNSPECIFIED"]
        self.assertEqual(sorted(r["category"] for r in records),
                         ["SHARE_ACTION_PLAN", "SHARE_ATTENDANCE", "SHARE_SURVEY_PROFILE"])
        for r in records:
            self.assertEqual((r["participant"], r["recipient"]), (pa, "partner:matsusaka-hr"))
            self.assertEqual(r["displayName"], "松阪 花子")
            self.assertTrue(r["dataItems"] and r["time"])
        own = self.call("GET", "/v1/%s/provisionRecords" % pa, token=self.a)["provisionRecords"]
        self.assertEqual(len([r for r in own if r["category"] != "SHARE_CATEGORY_UNSPECIFIED"]), 3)
        self.call("GET", "/v1/%s/provisionRecords" % pa, token=self.b, expect=403)
        status, _, exported = self.stack.http("GET", "/v1/provisionRecords:export", token=self.secretariat)
        self.assertEqual(status, 200)
        text = exported.decode("utf-8")
        self.assertTrue(text.startswith("\ufeff"), text[:20])
        self.assertIn("松阪 花子", text)

        # --- a signed offline bundle for 松阪市, verified, then tampered with
        self.bundle(hr, pa)

        # --- revocation: access ends at once, the feed says so
        self.call("POST", "/v1/%s:updateConsent" % pa, {"consent": {
            "shareAttendance": False, "shareActionPlan": True, "shareSurveyProfile": True}},
            token=self.a)
        self.refused_to_key(hr, "/v1/%s/sharedAttendance" % pa)
        self.as_key(hr, "/v1/%s/sharedPlanStages" % pa)
        later = self.as_key(hr, "/v1/changes?cursor=" + cursor)["changes"]
        self.assertIn((pa, "SHARE_ATTENDANCE"),
                      {(c["participant"], c.get("category")) for c in later
                       if c["kind"] == "RESULT_WITHDRAWN"})
        # The refused pull left no record; the plan pull did.
        after = self.provision_records("&municipalityCode=" + MATSUSAKA)
        self.assertEqual(sum(r["category"] == "SHARE_ATTENDANCE" for r in after),
                         sum(r["category"] == "SHARE_ATTENDANCE" for r in records)
                         + self.bundle_attendance_records)

    def bundle(self, hr, pa):
        self.bundle_attendance_records = 0
        if not self.stack.grpc_target:  # external mode without KAIZEN_GATEWAY_GRPC
            print("partner_test: no gateway gRPC address; the bundle part is skipped")
            return
        tool = kaizen_stack.runfile("tools/bundle/kaizen_bundle")
        work = tempfile.mkdtemp(prefix="kaizen-bundle-")
        try:
            key, pub = os.path.join(work, "key.pem"), os.path.join(work, "pub.pem")
            key_file = os.path.join(work, "hr-key")
            with open(key_file, "w") as f:
                f.write(hr)
            subprocess.run([tool, "keygen", "--private_key", key, "--public_key", pub], check=True)
            results = lambda rs: [r for r in rs if r["category"] != "SHARE_CATEGORY_UNSPECIFIED"]
            before = len(results(self.provision_records("&municipalityCode=" + MATSUSAKA)))
            out = os.path.join(work, "bundle")
            subprocess.run([tool, "make", "--gateway", self.stack.grpc_target,
                            "--api_key_file", key_file, "--municipality", MATSUSAKA,
                            "--from", "2022-04-01", "--to", "2030-03-31", "--signing_key", key,
                            "--out", out, "--bundle_id", "e2e-242047"], check=True)
            ok = subprocess.run([tool, "verify", "--public_key", pub, "--municipality", MATSUSAKA, out],
                                capture_output=True, text=True)
            self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
            # The PDF of A renders the Japanese name (poppler's pdftotext reads it back).
            pdfs = [os.path.join(dp, f) for dp, _, fs in os.walk(out) for f in fs if f.endswith(".pdf")]
            self.assertEqual(len(pdfs), 1, pdfs)  # A only: B shares nothing
            text = subprocess.run(["pdftotext", "-enc", "UTF-8", pdfs[0], "-"], check=True,
                                  capture_output=True).stdout.decode("utf-8")
            self.assertIn("松阪 花子", text)
            with open(os.path.join(out, "attendance.csv"), encoding="utf-8-sig") as f:
                rows = list(csv.reader(f))
            self.assertTrue(any(pa in ",".join(r) for r in rows), rows)
            # Making the bundle recorded its pulls, marked with the bundle id.
            records = results(self.provision_records("&municipalityCode=" + MATSUSAKA))
            bundled = [r for r in records if r.get("bundle") == "e2e-242047"]
            self.assertEqual(len(records) - before, len(bundled))
            self.assertEqual({r["category"] for r in bundled},
                             {"SHARE_ATTENDANCE", "SHARE_ACTION_PLAN", "SHARE_SURVEY_PROFILE"})
            self.bundle_attendance_records = sum(r["category"] == "SHARE_ATTENDANCE" for r in bundled)
            # One byte changed anywhere: refused.
            target = os.path.join(out, "attendance.csv")
            with open(target, "r+b") as f:
                data = bytearray(f.read())
                data[-2] ^= 0x01
                f.seek(0)
                f.write(data)
            bad = subprocess.run([tool, "verify", "--public_key", pub, "--municipality", MATSUSAKA, out],
                                 capture_output=True, text=True)
            self.assertNotEqual(bad.returncode, 0, bad.stdout)
            self.assertIn("attendance.csv", bad.stdout + bad.stderr)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
