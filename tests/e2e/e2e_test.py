"""End-to-end: the FY2022 story through the gateway's JSON API, used the way
the frontend would use it, plus the same smoke path over gRPC through the
gateway. The real binaries run as separate processes (kaizen_stack.py)."""

import datetime
import struct
import sys
import unittest

import grpc

import kaizen_stack

COHORT = "cohorts/e2e"
SAPPORO, CHIYODA, MATSUSAKA, OSAKA, KITAKYUSHU, HAKODATE, NAHA = (
    "011002", "131016", "242047", "271004", "401005", "012025", "472018")


def rfc3339(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def person(n, town, consent=True):
    return {
        "displayName": "架空 太郎%d" % n,
        "kana": "かくう たろう",
        "email": "e2e%d@example.jp" % n,
        "municipalityCode": town,
        "department": "総務部 行政改革課",
        "birthDate": {"year": 1993, "month": 5, "day": 1},
        "motivation": "同僚を巻き込みたい。\n5年後の改善の旗手に。",
        "consent": {"shareAttendance": consent},
    }


class FY2022Story(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = kaizen_stack.Stack()
        cls.hr_chiyoda = cls.stack.add_api_key("chiyoda-hr", CHIYODA)
        cls.hr_sapporo = cls.stack.add_api_key("sapporo-hr", SAPPORO)
        cls.stack.start_all()
        s = cls.stack
        cls.secretariat = s.token("e2e-secretariat", ["secretariat"])
        cls.navigator = s.token("e2e-navigator", ["navigator"])
        cls.p1 = s.token("e2e-p1", ["participant"])

    @classmethod
    def tearDownClass(cls):
        codes = cls.stack.stop_all()
        assert all(c == 0 for c in codes.values()), "a process did not stop cleanly: %s" % codes

    def call(self, method, path, body=None, token=None, headers=None, expect=200):
        status, hdrs, payload = self.stack.http(method, path, body, token, headers)
        self.assertEqual(status, expect, "%s %s -> %s %s" % (method, path, status, payload))
        return payload

    def test_the_programme(self):
        now = datetime.datetime.utcnow()
        # --- the secretariat opens a cohort
        cohort = self.call("POST", "/v1/cohorts?cohortId=e2e", {
            "title": "2022年度 次世代改善リーダー事例研究会",
            "fiscalYear": 2022, "capacity": 10, "maxMunicipalities": 6,
            "eligibility": {"minAge": 20, "maxAge": 39,
                            "ageReferenceDate": {"year": 2022, "month": 7, "day": 24}},
            "fee": {"currencyCode": "JPY", "units": "10000"},
            "includedItems": [
                {"id": "kaizen-undo", "title": "自治体経営を変える改善運動",
                 "availableDate": {"year": 2022, "month": 5, "day": 1}},
                {"id": "shin-kaizen-bon", "title": "新改善本",
                 "availableDate": {"year": 2022, "month": 9, "day": 15}}],
            "applicationOpenTime": rfc3339(now - datetime.timedelta(hours=1)),
            "applicationCloseTime": rfc3339(now + datetime.timedelta(days=30)),
        }, token=self.secretariat)
        self.assertEqual(cohort["name"], COHORT)
        self.call("POST", "/v1/%s:transition" % COHORT, {"state": "OPEN"}, token=self.secretariat)

        # --- 12 people from 7 municipalities apply (one team of three)
        plan = [(SAPPORO, 3), (CHIYODA, 1), (MATSUSAKA, 1), (OSAKA, 1), (KITAKYUSHU, 1),
                (HAKODATE, 1), (NAHA, 1), (CHIYODA, 1), (MATSUSAKA, 1), (OSAKA, 1)]
        apps = []
        n = 0
        for i, (town, size) in enumerate(plan):
            members = []
            for _ in range(size):
                n += 1
                # Everyone consents to share attendance except person 10.
                members.append(person(n, town, consent=(n != 10)))
            token = self.p1 if i == 1 else None  # the Chiyoda applicant has an account
            apps.append(self.call("POST", "/v1/%s/applications" % COHORT,
                                  {"members": members}, token=token))
        self.assertEqual(n, 12)
        states = [a["state"] for a in apps]
        self.assertEqual(states.count("ACCEPTED"), 8)  # applications; 10 people
        self.assertEqual(states[6], "WAITLISTED")     # Naha: a 7th municipality
        self.assertEqual(states[9], "WAITLISTED")     # Osaka #2: cohort full
        cohort = self.call("GET", "/v1/" + COHORT)    # public read
        self.assertEqual(cohort["seatsTaken"], 10)
        self.assertEqual(cohort["municipalitiesTaken"], 6)
        waiting = self.call("GET", "/v1/%s/applications?state=WAITLISTED" % COHORT,
                            token=self.secretariat)
        self.assertEqual([a["name"] for a in waiting["applications"]],
                         [apps[6]["name"], apps[9]["name"]])

        # --- one withdraws (Matsusaka #2, with their link): the next eligible
        # gets the offer; Naha is skipped because it would be a 7th town
        self.call("POST", "/v1/%s:withdraw" % apps[8]["name"], {},
                  headers={"X-Kaizen-Application-Token": apps[8]["accessToken"]})
        naha = self.call("GET", "/v1/" + apps[6]["name"],
                         headers={"X-Kaizen-Application-Token": apps[6]["accessToken"]})
        osaka2 = self.call("GET", "/v1/" + apps[9]["name"],
                           headers={"X-Kaizen-Application-Token": apps[9]["accessToken"]})
        self.assertEqual(naha["state"], "WAITLISTED")
        self.assertEqual(osaka2["state"], "OFFERED")
        # Someone else's application is refused even with a valid link.
        self.call("GET", "/v1/" + apps[6]["name"], expect=403,
                  headers={"X-Kaizen-Application-Token": apps[9]["accessToken"]})

        # --- staff and the meeting series
        nav = self.call("POST", "/v1/%s/participants" % COHORT, {
            "displayName": "架空 ナビ", "role": "NAVIGATOR", "subject": "e2e-navigator"},
            token=self.secretariat)
        self.assertEqual(nav["role"], "NAVIGATOR")
        series = self.call("POST", "/v1/%s/meetings:createSeries" % COHORT, {
            "template": "templates/next-gen-leaders-fy2022", "startYear": 2022,
            "firstMeetingStart": "2022-07-24T00:00:00Z"}, token=self.secretariat)
        self.assertEqual(len(series["meetings"]), 8)
        self.assertEqual(series["meetings"][0]["state"], "CONFIRMED")

        # --- a poll is answered and closed
        m2 = COHORT + "/meetings/m2"
        self.call("POST", "/v1/%s/poll:setCandidates" % m2, {
            "startTimes": ["2022-08-21T00:00:00Z", "2022-08-27T04:00:00Z"]}, token=self.navigator)
        self.call("POST", "/v1/%s/poll:answer" % m2, {
            "availability": {"s202208210900": "YES", "s202208271300": "YES"}}, token=self.navigator)
        self.call("POST", "/v1/%s/poll:answer" % m2, {
            "availability": {"s202208210900": "YES", "s202208271300": "NO"},
            "comment": "午前なら参加できます"}, token=self.p1)
        poll = self.call("POST", "/v1/%s/poll:close" % m2, {}, token=self.navigator)
        self.assertEqual(poll["state"], "CLOSED")
        self.assertEqual(poll["result"]["slotId"], "s202208210900")
        meeting = self.call("GET", "/v1/" + m2, token=self.p1)
        self.assertEqual(meeting["startTime"], "2022-08-21T00:00:00Z")

        # --- attendance at the first meeting
        p1_participant = apps[1]["participants"][0]
        sheet = self.call("POST", "/v1/%s/meetings/m1/attendance:record" % COHORT, {
            "records": [{"participant": p1_participant, "status": "PRESENT"}]}, token=self.navigator)
        self.assertEqual(sheet["records"][0]["status"], "PRESENT")

        # --- the calendar feed
        status, hdrs, ics = self.stack.http("GET", "/v1/%s/calendar.ics" % COHORT, token=self.p1)
        self.assertEqual(status, 200)
        self.assertTrue(hdrs.get("Content-Type", "").startswith("text/calendar"), hdrs)
        text = ics.decode("utf-8")
        self.assertIn("BEGIN:VCALENDAR", text)
        self.assertIn("DTSTART;TZID=Asia/Tokyo:20220821T090000", text)

        # --- a partner HR key pulls only its own municipality's consented data
        changes = self.call("GET", "/v1/changes", headers={"X-Api-Key": self.hr_chiyoda})
        self.assertEqual({c["municipalityCode"] for c in changes["changes"]}, {CHIYODA})
        # Chiyoda applicants here: person 4 (consented) and person 10 (did not).
        self.assertEqual({c["participant"] for c in changes["changes"]
                          if c["participant"].startswith(COHORT + "/")},
                         {apps[1]["participants"][0]})
        self.assertTrue(all(c["displayName"] for c in changes["changes"]))
        sapporo = self.call("GET", "/v1/changes", headers={"X-Api-Key": self.hr_sapporo})
        # The team's submitter consented for themself only, not for team mates.
        self.assertEqual({c["participant"] for c in sapporo["changes"]},
                         {apps[0]["participants"][0]})
        # ... and nothing else.
        self.call("GET", "/v1/%s/applications" % COHORT, expect=403,
                  headers={"X-Api-Key": self.hr_chiyoda})
        self.call("GET", "/v1/%s/applications" % COHORT, expect=401)

    def test_grpc_smoke_through_the_gateway(self):
        """The same path over gRPC through the gateway, for partner systems."""
        from google.protobuf import json_format

        m = kaizen_stack.load_messages("kaizen/enrollment/v1/enrollment.proto")
        pkg = "kaizen.enrollment.v1."
        channel = grpc.insecure_channel("127.0.0.1:%d" % self.stack.grpc_port)

        def rpc(method, request, response_type, metadata=()):
            call = channel.unary_unary("/%sEnrollmentService/%s" % (pkg, method),
                                       request_serializer=lambda msg: msg.SerializeToString(),
                                       response_deserializer=m[pkg + response_type].FromString)
            return call(request, timeout=10, metadata=list(metadata))

        def msg(type_name, **fields):
            return json_format.ParseDict(fields, m[pkg + type_name]())

        secretariat = [("authorization", "Bearer " + self.secretariat)]
        now = datetime.datetime.utcnow()
        cohort = rpc("CreateCohort", msg("CreateCohortRequest", cohortId="grpc-smoke", cohort={
            "title": "gRPC経由の研究会", "fiscalYear": 2022, "capacity": 2, "maxMunicipalities": 1,
            "applicationOpenTime": rfc3339(now - datetime.timedelta(hours=1)),
            "applicationCloseTime": rfc3339(now + datetime.timedelta(days=1))}),
            "Cohort", secretariat)
        self.assertEqual(cohort.title, "gRPC経由の研究会")
        rpc("TransitionCohort", msg("TransitionCohortRequest", name=cohort.name, state="OPEN"),
            "Cohort", secretariat)
        # Anonymous applicants may apply over gRPC too, and read back with their link.
        app = rpc("CreateApplication", msg("CreateApplicationRequest", parent=cohort.name,
                                           application={"members": [person(101, CHIYODA)]}),
                  "Application")
        self.assertEqual(app.state, m[pkg + "Application"].State.Value("ACCEPTED"))
        again = rpc("GetApplication", msg("GetApplicationRequest", name=app.name), "Application",
                    [("x-kaizen-application-token", app.access_token)])
        self.assertEqual(again.members[0].display_name, "架空 太郎101")
        # The same authentication as HTTP: nothing without a credential ...
        with self.assertRaises(grpc.RpcError) as refused:
            rpc("ListChanges", msg("ListChangesRequest"), "ListChangesResponse")
        self.assertEqual(refused.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        # ... and a partner key sees only its municipality.
        chiyoda = rpc("ListChanges", msg("ListChangesRequest"), "ListChangesResponse",
                      [("x-api-key", self.hr_chiyoda)])
        self.assertIn(app.participants[0], [c.participant for c in chiyoda.changes])
        self.assertEqual({c.municipality_code for c in chiyoda.changes}, {CHIYODA})
        sapporo = rpc("ListChanges", msg("ListChangesRequest"), "ListChangesResponse",
                      [("x-api-key", self.hr_sapporo)])
        self.assertNotIn(app.participants[0], [c.participant for c in sapporo.changes])
        # Errors keep their details through the proxy.
        with self.assertRaises(grpc.RpcError) as bad:
            rpc("CreateApplication", msg("CreateApplicationRequest", parent=cohort.name,
                                         application={"members": [person(102, "131017")]}),
                "Application")
        self.assertEqual(bad.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("municipality_code", bad.exception.details())


if __name__ == "__main__":
    unittest.main(verbosity=2)
