"""End-to-end: what a demanding secretariat checks (issue #15), through the
gateway's JSON API against the real binaries: municipalities from the
national master, fees with balances, appointments, the poll CSV for Excel,
and a purge that reaches every service that holds the cohort's personal data.
Imported by e2e_test.py (one runner); its own stack and cohort."""

import csv
import datetime
import io
import unittest

import kaizen_stack
from fixtures import rfc3339

COHORT = "cohorts/e2e-rules"
MATSUSAKA, CHIYODA = "242047", "131016"


def applicant(n, town):
    return {"members": [{
        "displayName": "架空 花子%d" % n, "kana": "かくう はなこ",
        "email": "hanako%d@example.jp" % n, "municipalityCode": town,
        "department": "総務課", "birthDate": {"year": 1994, "month": 4, "day": 1},
        "motivation": "自分のまちの特性を知りたい。",
        "consent": {"shareAttendance": True, "shareActionPlan": True,
                    "shareSurveyProfile": False}}]}


class SecretariatRules(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = kaizen_stack.Stack()
        cls.stack.start_all()
        cls.secretariat = cls.stack.token("rules-secretariat", ["secretariat"])
        cls.navigator = cls.stack.token("rules-navigator", ["navigator"])

    @classmethod
    def tearDownClass(cls):
        codes = cls.stack.stop_all()
        assert all(c == 0 for c in codes.values()), "a process did not stop cleanly: %s" % codes

    def call(self, method, path, body=None, token=None, headers=None, expect=200):
        status, _, payload = self.stack.http(method, path, body, token, headers)
        self.assertEqual(status, expect, "%s %s -> %s %s" % (method, path, status, payload))
        return payload

    def refused(self, method, path, body, token, reason):
        status, _, payload = self.stack.http(method, path, body, token)
        self.assertGreaterEqual(status, 400, payload)
        reasons = [d.get("reason") for d in payload["error"]["details"]]
        self.assertIn(reason, reasons, payload)
        return payload["error"]

    def test_a_cohort_from_open_to_purged(self):
        now = datetime.datetime.utcnow()
        self.call("POST", "/v1/cohorts?cohortId=e2e-rules", {
            "title": "改善リーダー 規則確認", "fiscalYear": 2026, "capacity": 10,
            "maxMunicipalities": 6,
            "eligibility": {"minAge": 20, "maxAge": 39,
                            "ageReferenceDate": {"year": 2026, "month": 4, "day": 1}},
            "fee": {"currencyCode": "JPY", "units": "10000"},
            "includedItems": [{"id": "book", "title": "改善本",
                               "availableDate": {"year": 2026, "month": 1, "day": 1}}],
            "applicationOpenTime": rfc3339(now - datetime.timedelta(hours=1)),
            "applicationCloseTime": rfc3339(now + datetime.timedelta(days=30)),
            "retentionDays": 0,
        }, token=self.secretariat)
        cohort = self.call("POST", "/v1/%s:transition" % COHORT, {"state": "OPEN"},
                           token=self.secretariat)
        self.assertEqual(cohort["retentionDays"], 0)  # 0 is kept, not turned into 365

        # --- 1. municipalities from the national master
        ward = self.refused("POST", "/v1/%s/applications" % COHORT, applicant(1, "011011"),
                            None, "MUNICIPALITY_IS_WARD")
        self.assertIn("札幌市", ward["message"])
        self.refused("POST", "/v1/%s/applications" % COHORT, applicant(1, "013005"), None,
                     "MUNICIPALITY_UNKNOWN")
        app = self.stack.confirm_application(
            self.call("POST", "/v1/%s/applications" % COHORT, applicant(1, MATSUSAKA)))
        self.assertEqual(app["state"], "ACCEPTED")
        self.assertEqual(app["municipalityName"], "松阪市")
        [who] = app["participants"]
        other_app = self.stack.confirm_application(
            self.call("POST", "/v1/%s/applications" % COHORT, applicant(2, CHIYODA)))
        other = other_app["participants"][0]

        # --- 2. fees: a balance, no overpayment, lists of who owes / awaits a book
        p = self.call("GET", "/v1/" + who, token=self.secretariat)
        self.assertEqual(p["municipalityName"], "松阪市")
        self.assertEqual(p["balance"]["units"], "10000")
        owes = self.call("GET", "/v1/%s/participants?owesFee=true" % COHORT, token=self.secretariat)
        self.assertEqual({x["name"] for x in owes["participants"]}, {who, other})
        self.refused("POST", "/v1/%s:recordPayment" % who, {
            "kind": "PAYMENT", "amount": {"currencyCode": "JPY", "units": "10001"}},
            self.secretariat, "PAYMENT_EXCEEDS_BALANCE")
        paid = self.call("POST", "/v1/%s:recordPayment" % who, {
            "kind": "PAYMENT", "amount": {"currencyCode": "JPY", "units": "10000"},
            "note": "振込"}, token=self.secretariat)
        self.assertEqual(paid["amountPaid"]["units"], "10000")
        self.assertEqual(paid["balance"].get("units", "0"), "0")
        owes = self.call("GET", "/v1/%s/participants?owesFee=true" % COHORT, token=self.secretariat)
        self.assertEqual([x["name"] for x in owes["participants"]], [other])
        waiting = self.call("GET", "/v1/%s/participants?awaitingShipment=true" % COHORT,
                            token=self.secretariat)
        self.assertEqual({x["name"] for x in waiting["participants"]}, {who, other})

        # --- 4. appointments: not twice, and never a participant as staff
        self.call("POST", "/v1/%s/participants" % COHORT, {
            "displayName": "架空 ナビ", "role": "NAVIGATOR", "subject": "rules-navigator"},
            token=self.secretariat)
        self.refused("POST", "/v1/%s/participants" % COHORT, {
            "displayName": "架空 ナビ", "role": "NAVIGATOR", "subject": "rules-navigator"},
            self.secretariat, "ALREADY_APPOINTED")

        # --- 7. the poll CSV for Excel: codes as text, names, Japanese labels
        self.call("POST", "/v1/%s/meetings:createSeries" % COHORT, {
            "template": "templates/next-gen-leaders-fy2022", "startYear": 2026,
            "firstMeetingStart": "2026-07-26T00:00:00Z"}, token=self.secretariat)
        m2 = COHORT + "/meetings/m2"
        self.call("POST", "/v1/%s/poll:setCandidates" % m2, {
            "startTimes": ["2026-08-23T00:00:00Z", "2026-08-29T04:00:00Z"]}, token=self.navigator)
        self.call("POST", "/v1/%s/poll:answer" % m2, {
            "availability": {"s202608230900": "YES", "s202608291300": "NO"}},
            token=self.navigator)
        status, hdrs, body = self.stack.http("GET", "/v1/%s/poll:export" % m2,
                                             token=self.navigator)
        self.assertEqual(status, 200)
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        header = rows[0]
        self.assertIn("自治体コード", header)
        self.assertIn("自治体名", header)
        person = next(r for r in rows[1:] if r[0] == "架空 花子1")
        self.assertIn('="242047"', person)
        self.assertIn("松阪市", person)
        self.assertIn("未回答", person)  # the participant has not answered yet

        # --- 3. the cohort finishes; one person asks to be erased, then the whole
        # cohort is purged: every service that holds its personal data reports.
        self.call("POST", "/v1/%s/meetings/m1/attendance:record" % COHORT, {
            "records": [{"participant": who, "status": "PRESENT"},
                        {"participant": other, "status": "ABSENT"}]}, token=self.navigator)
        # An application that became a place is erased through its participant first.
        held = self.refused("POST", "/v1/%s:erasePersonalData" % app["name"], {},
                            self.secretariat, "ERASURE_NOT_ALLOWED")
        self.assertIn(who, held["message"])
        for state in ("RUNNING", "FINISHED"):
            self.call("POST", "/v1/%s:transition" % COHORT, {"state": state},
                      token=self.secretariat)
        erased = self.call("POST", "/v1/%s:erasePersonalData" % other, {},
                           token=self.secretariat)
        self.assertTrue(erased["complete"], erased)
        services = {r["service"]: r for r in erased["services"]}
        self.assertEqual(set(services), {"enrollment", "scheduling", "survey", "plans"})
        counts = {c["kind"]: int(c.get("deleted", 0))
                  for c in services["scheduling"]["report"]["counts"]}
        self.assertEqual(counts["attendance"], 1)  # their row of m1, nobody else's
        gone = self.call("GET", "/v1/" + other, token=self.secretariat)
        self.assertNotIn("架空 花子2", str(gone))
        # ... and then the application they applied with (name, birth date, motivation).
        app_erased = self.call("POST", "/v1/%s:erasePersonalData" % other_app["name"], {},
                               token=self.secretariat)
        self.assertTrue(app_erased["complete"], app_erased)
        self.assertEqual([r["service"] for r in app_erased["services"]], ["enrollment"])
        left = self.call("GET", "/v1/" + other_app["name"], token=self.secretariat)
        self.assertNotIn("架空 花子2", str(left))
        self.assertNotIn("hanako2@", str(left))
        purged = self.call("POST", "/v1/%s:purgePersonalData" % COHORT, {},
                           token=self.secretariat)
        report = purged["report"]
        self.assertTrue(report["complete"], report)
        self.assertEqual([r["service"] for r in report["services"]],
                         ["enrollment", "scheduling", "survey", "plans"])
        self.assertTrue(all(r["state"] == "DONE" for r in report["services"]), report)
        counts = {c["kind"]: int(c.get("deleted", 0))
                  for c in report["services"][1]["report"]["counts"]}
        self.assertEqual(counts["attendance"], 1)   # the remaining row
        self.assertGreaterEqual(counts["poll_answers"], 1)
        # Verifiable later, and a repeat changes nothing.
        again = self.call("GET", "/v1/%s/purgeReport" % COHORT, token=self.secretariat)
        self.assertEqual(again["services"], report["services"])
        self.call("POST", "/v1/%s:purgePersonalData" % COHORT, {}, token=self.secretariat)
        # Nothing personal is readable or exportable any more.
        status, _, body = self.stack.http("GET", "/v1/%s/poll:export" % m2,
                                          token=self.secretariat)
        self.assertEqual(status, 200, body)
        exported = body.decode("utf-8-sig")
        self.assertIn("自治体コード", exported)   # the header stays
        self.assertNotIn("架空", exported)        # nobody's name or answer
        summary = self.call("GET", "/v1/%s/attendanceSummary" % COHORT, token=self.secretariat)
        self.assertNotIn("架空", str(summary))
        self.call("GET", "/v1/" + who, token=self.secretariat, expect=404)
