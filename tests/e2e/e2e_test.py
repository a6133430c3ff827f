"""End-to-end: the FY2022 story through the gateway's JSON API, used the way
the frontend would use it, plus the same smoke path over gRPC through the
gateway. The real binaries run as separate processes (kaizen_stack.py)."""

import csv
import datetime
import io
import struct
import sys
import unittest

import grpc

import kaizen_stack
from fixtures import PRE_SURVEY, SCALE_ITEMS, rfc3339, survey_answers
from partner_test import PartnerRelease  # noqa: F401  (issue #14; same runner)
from secretariat_test import SecretariatRules  # noqa: F401  (issue #15; same runner)

COHORT = "cohorts/e2e"
SAPPORO, CHIYODA, MATSUSAKA, OSAKA, KITAKYUSHU, HAKODATE, NAHA = (
    "011002", "131016", "242047", "271004", "401005", "012025", "472018")


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
            app = self.call("POST", "/v1/%s/applications" % COHORT, {"members": members},
                            token=token)
            if token is None:
                # Anonymous: it waits, holding nothing, until every member opens the
                # link mailed to them; confirmation order is queue order (issue #13).
                app = self.stack.confirm_application(app, [m["email"] for m in members])
            apps.append(app)
        self.assertEqual(n, 12)
        states = [a["state"] for a in apps]
        self.assertEqual(states.count("ACCEPTED"), 8)  # applications; 10 people
        self.assertEqual(states[6], "WAITLISTED")     # Naha: a 7th municipality
        self.assertEqual(states[9], "WAITLISTED")     # Osaka #2: cohort full
        # The ETag of a real resource goes back as If-Match: 200, then 412 once stale.
        status, hdrs, _ = self.stack.http("GET", "/v1/" + COHORT, token=self.secretariat)
        etag = hdrs.get("ETag", "")
        self.assertTrue(etag.startswith('"') and etag.endswith('"'), hdrs)
        self.call("PATCH", "/v1/%s?updateMask=title" % COHORT,
                  {"title": "2022年度 次世代改善リーダー事例研究会（第1期）"},
                  token=self.secretariat, headers={"If-Match": etag})
        status, _, stale = self.stack.http("PATCH", "/v1/%s?updateMask=title" % COHORT,
                                           {"title": "x"}, self.secretariat, {"If-Match": etag})
        self.assertEqual(status, 412, stale)
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
        # A team mate had no account when the team applied: the team's submitter (with the
        # application's link) gives them a claim link; signed in, they bind it and can act.
        mate = self.claim_as_team_mate(apps[0])
        self.call("POST", "/v1/%s/poll:answer" % m2, {
            "availability": {"s202208210900": "YES", "s202208271300": "NO"}}, token=mate)
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

        # --- the team mate subscribes to their calendar with a secret URL
        self.subscribe_to_own_calendar(mate)

        # --- a partner HR key pulls only its own municipality's consented data
        changes = self.call("GET", "/v1/changes", headers={"X-Api-Key": self.hr_chiyoda})
        self.assertEqual({c["municipalityCode"] for c in changes["changes"]}, {CHIYODA})
        # Chiyoda applicants here: person 4 (consented) and person 10 (did not).
        self.assertEqual({c["participant"] for c in changes["changes"]
                          if c["participant"].startswith(COHORT + "/")},
                         {apps[1]["participants"][0]})
        # Names come with the person's own entries; result entries say only what changed.
        self.assertTrue(all(c["displayName"] for c in changes["changes"] if c["kind"] == "UPSERTED"))
        self.assertIn(("RESULT_CHANGED", "SHARE_ATTENDANCE"),
                      {(c["kind"], c.get("category")) for c in changes["changes"]})
        sapporo = self.call("GET", "/v1/changes", headers={"X-Api-Key": self.hr_sapporo})
        # Each member of the Sapporo team keeps the consent they chose (all three shared).
        self.assertEqual({c["participant"] for c in sapporo["changes"]},
                         set(apps[0]["participants"]))
        # ... and nothing else.
        self.call("GET", "/v1/%s/applications" % COHORT, expect=403,
                  headers={"X-Api-Key": self.hr_chiyoda})
        self.call("GET", "/v1/%s/applications" % COHORT, expect=401)

    def reasons(self, payload):
        return [d.get("reason") for d in payload["error"]["details"]]

    def claim_as_team_mate(self, app):
        """Issue #12: claim link -> bound account -> /v1/me -> own consent. Returns the mate's token."""
        mate_participant = app["participants"][1]
        # The anonymous submitter signs in and claims the application; its access token
        # alone may not hand out places.
        submitter = self.stack.token("e2e-sapporo-submitter", ["participant"])
        status, _, refused = self.stack.http(
            "POST", "/v1/%s:issueClaimLink" % mate_participant, {}, submitter,
            {"X-Kaizen-Application-Token": app["accessToken"]})
        self.assertEqual(status, 403, refused)
        claimed = self.call("POST", "/v1/%s:claim" % app["name"], {}, token=submitter,
                            headers={"X-Kaizen-Application-Token": app["accessToken"]})
        self.assertEqual(claimed["submitter"], "e2e-sapporo-submitter")
        link = self.call("POST", "/v1/%s:issueClaimLink" % mate_participant, {}, token=submitter)
        self.assertEqual(link["participant"], mate_participant)
        mate = self.stack.token("e2e-sapporo-mate", ["participant"])
        before = self.call("GET", "/v1/me", token=mate)
        self.assertEqual(before["subject"], "e2e-sapporo-mate")
        self.assertEqual(before["cohorts"], [])  # defaults are emitted: an empty list, not absent
        self.call("GET", "/v1/%s/members" % COHORT, token=mate, expect=403)
        bound = self.call("POST", "/v1/claimLinks:redeem", {"token": link["token"]}, token=mate)
        self.assertEqual(bound["name"], mate_participant)
        # Single use: nobody else can take the same place with the same link.
        status, _, used = self.stack.http("POST", "/v1/claimLinks:redeem", {"token": link["token"]},
                                          token=self.stack.token("e2e-someone", ["participant"]))
        self.assertGreaterEqual(status, 400)
        self.assertIn("CLAIM_LINK_USED", self.reasons(used))
        me = self.call("GET", "/v1/me", token=mate)
        [entry] = me["cohorts"]
        self.assertEqual(entry["cohort"], COHORT)
        self.assertEqual([p["name"] for p in entry["participations"]], [mate_participant])
        # Cohort mates: display names and towns only.
        members = self.call("GET", "/v1/%s/members" % COHORT, token=mate)["members"]
        self.assertIn("架空 太郎2", [m["displayName"] for m in members])  # the mate (person 2)
        self.assertTrue(all(set(m) == {"displayName", "municipalityCode", "municipalityName", "role"}
                            for m in members), members[:1])
        # Names from the national master beside each code.
        names = {m["municipalityCode"]: m["municipalityName"] for m in members if m["municipalityCode"]}
        self.assertEqual(names.get("011002"), "札幌市")
        # The mate kept the consent they chose in the application, and changes it themself.
        mine = self.call("GET", "/v1/" + mate_participant, token=mate)
        self.assertTrue(mine["consent"]["shareAttendance"])
        changed = self.call("POST", "/v1/%s:updateConsent" % mate_participant, {
            "consent": {"shareAttendance": True, "shareActionPlan": False,
                        "shareSurveyProfile": False}}, token=mate)
        self.assertEqual(changed["consent"], {"shareAttendance": True, "shareActionPlan": False,
                                              "shareSurveyProfile": False})
        return mate

    def subscribe_to_own_calendar(self, token):
        import icalendar
        feed = self.call("POST", "/v1/%s/calendarFeeds" % COHORT, {"kind": "PERSON"}, token=token)
        self.assertTrue(feed["urlPath"].startswith("/v1/calendarFeeds/"), feed)
        status, hdrs, ics = self.stack.http("GET", feed["urlPath"])  # no headers at all
        self.assertEqual(status, 200, ics)
        self.assertTrue(hdrs.get("Content-Type", "").startswith("text/calendar"), hdrs)
        cal = icalendar.Calendar.from_ical(ics)
        starts = sorted(str(e.get("DTSTART").dt) for e in cal.walk("VEVENT"))
        self.assertIn("2022-08-21 09:00:00+09:00", starts)
        # Rotating the URL stops the old one at once; the new one works.
        rotated = self.call("POST", "/v1/%s:rotate" % feed["name"], {}, token=token)
        self.assertEqual(self.stack.http("GET", feed["urlPath"])[0], 404)
        self.assertEqual(self.stack.http("GET", rotated["urlPath"])[0], 200)

    def test_one_plan_from_draft_to_final(self):
        """One participant's action plan through the gateway: draft, etags,
        revisions, the three stage versions before meetings 6-8, what a cohort
        mate and a stranger see, feedback and a Japanese diff."""
        s = self.stack
        owner = s.token("e2e-plan-owner", ["participant"])
        mate = s.token("e2e-plan-mate", ["participant"])
        stranger = s.token("e2e-plan-stranger", ["participant"])
        navigator = s.token("e2e-plan-navigator", ["navigator"])
        now = datetime.datetime.utcnow()
        cohort = "cohorts/e2e-plans"

        # --- its own cohort: two participants with accounts, a navigator
        self.call("POST", "/v1/cohorts?cohortId=e2e-plans", {
            "title": "アクションプランの研究会", "fiscalYear": now.year, "capacity": 4,
            "maxMunicipalities": 2,
            "applicationOpenTime": rfc3339(now - datetime.timedelta(hours=1)),
            "applicationCloseTime": rfc3339(now + datetime.timedelta(days=30))},
            token=self.secretariat)
        self.call("POST", "/v1/%s:transition" % cohort, {"state": "OPEN"}, token=self.secretariat)
        owner_app = self.call("POST", "/v1/%s/applications" % cohort,
                              {"members": [person(201, MATSUSAKA)]}, token=owner)
        mate_app = self.call("POST", "/v1/%s/applications" % cohort,
                             {"members": [person(202, CHIYODA)]}, token=mate)
        self.assertEqual([owner_app["state"], mate_app["state"]], ["ACCEPTED", "ACCEPTED"])
        me = owner_app["participants"][0]
        self.call("POST", "/v1/%s/participants" % cohort, {
            "displayName": "架空 ナビ子", "role": "NAVIGATOR", "subject": "e2e-plan-navigator"},
            token=self.secretariat)

        # --- meetings 6, 7 and 8 confirmed in the future: a series starting
        # next year (windows: m6 December, m7 June and m8 December after it)
        year = now.year + 1
        series = self.call("POST", "/v1/%s/meetings:createSeries" % cohort, {
            "template": "templates/next-gen-leaders-fy2022", "startYear": year},
            token=self.secretariat)
        self.assertEqual(len(series["meetings"]), 8)
        for meeting, start in (("m6", "%d-12-10T01:00:00Z" % year),
                               ("m7", "%d-06-10T01:00:00Z" % (year + 1)),
                               ("m8", "%d-12-10T01:00:00Z" % (year + 1))):
            confirmed = self.call("POST", "/v1/%s/meetings/%s:schedule" % (cohort, meeting),
                                  {"startTime": start}, token=self.secretariat)
            self.assertEqual(confirmed["state"], "CONFIRMED")

        # --- the participant creates their plan and edits the draft
        draft = {
            "vision": "5年後、庁内の改善運動を引っ張る旗手になる。",
            "walls": [{"wall": "PEERS", "text": "同僚が改善に乗ってこない。"}],
            "actions": [{"id": "a1", "title": "課内で改善ミーティングを始める",
                         "description": "毎月一回、課内で小さな改善を共有する。",
                         "targetResult": "PEERS", "stakeholders": ["PEERS_AROUND"],
                         "timeframe": "1年目上期", "indicator": "参加者数",
                         "status": "PLANNED"}],
        }
        plan = self.call("POST", "/v1/%s/plans" % cohort,
                         {"title": "改善の旗手への5か年計画", "draft": draft}, token=owner)
        name = plan["name"]
        self.assertTrue(name.startswith(cohort + "/plans/"), name)
        self.assertEqual(plan["owners"], [me])
        created_etag = plan["etag"]
        draft["vision"] = "5年後、庁内の改善運動を引っ張る改善の旗手になる。"
        plan = self.call("PATCH", "/v1/" + name, {"etag": created_etag, "draft": draft},
                         token=owner)
        self.assertEqual(plan["draft"]["vision"], draft["vision"])
        self.assertNotEqual(plan["etag"], created_etag)
        # A stale etag changes nothing.
        stale = self.call("PATCH", "/v1/" + name, {"etag": created_etag, "draft": {}},
                          token=owner, expect=409)
        self.assertEqual(stale["error"]["status"], "ABORTED")
        self.assertIn("ETAG_MISMATCH", [d.get("reason") for d in stale["error"]["details"]])
        plan = self.call("GET", "/v1/" + name, token=owner)
        self.assertEqual(plan["draft"]["vision"], draft["vision"])

        # --- revision 1, presented as INTERIM before meeting 6
        r1 = self.call("POST", "/v1/%s:commit" % name,
                       {"etag": plan["etag"], "message": "時点版の案"}, token=owner)
        self.assertEqual(int(r1["number"]), 1)
        self.assertEqual(r1["author"], me)
        plan = self.call("GET", "/v1/" + name, token=owner)
        plan = self.call("POST", "/v1/%s:submitStage" % name,
                         {"stage": "INTERIM", "etag": plan["etag"]}, token=owner)
        interim = plan["stages"][0]
        self.assertEqual((interim["stage"], int(interim["revision"])), ("INTERIM", 1))
        self.assertEqual(interim["meeting"], cohort + "/meetings/m6")
        self.assertEqual(interim["deadline"], "%d-12-10T01:00:00Z" % year)
        self.assertFalse(interim.get("late", False))

        # --- a cohort mate sees the stage versions, never the draft; a
        # stranger sees nothing at all: the same refusal as for a cohort that
        # does not exist (authorise before revealing, issue 16)
        seen = self.call("GET", "/v1/" + name, token=mate)
        self.assertEqual([st["stage"] for st in seen["stages"]], ["INTERIM"])
        self.assertNotIn("draft", seen)
        refused = self.call("GET", "/v1/" + name, token=stranger, expect=403)
        nowhere = self.call("GET", "/v1/cohorts/no-such-cohort/plans/p1", token=stranger,
                            expect=403)
        self.assertEqual(refused, nowhere)

        # --- the navigator's feedback on revision 1, which the owner reads
        feedback = self.call("POST", "/v1/%s/feedback" % name, {
            "revision": 1, "actionId": "a1", "visibility": "COHORT",
            "text": "まず係長を巻き込む一手を加えてみては。"}, token=navigator)
        self.assertEqual(feedback["visibility"], "COHORT")
        listed = self.call("GET", "/v1/%s/feedback" % name, token=owner)
        self.assertEqual([f["name"] for f in listed["feedback"]], [feedback["name"]])

        # --- the owner works on it: an action, a practice entry, revision 2
        plan = self.call("GET", "/v1/" + name, token=owner)
        draft["actions"].append({
            "id": "a2", "title": "係長に改善提案を持ち込む",
            "description": "月一回、係長と改善の種を話す。",
            "targetResult": "SENIORS_AND_BOSSES", "stakeholders": ["SENIORS_BOSSES"],
            "status": "PLANNED"})
        draft["actions"][0]["description"] = "毎月一回、課内で小さな改善を共有し、記録する。"
        draft["actions"][0]["status"] = "IN_PROGRESS"
        plan = self.call("PATCH", "/v1/%s?updateMask=draft.actions" % name,
                         {"etag": plan["etag"], "draft": {"actions": draft["actions"]}},
                         token=owner)
        self.assertEqual([a["id"] for a in plan["draft"]["actions"]], ["a1", "a2"])
        self.assertEqual(plan["draft"]["vision"], draft["vision"])  # outside the mask
        self.assertTrue(plan["draftChanged"])
        # Today in Asia/Tokyo, taken after the INTERIM submission (so never
        # before its day).
        today = (datetime.datetime.utcnow() + datetime.timedelta(hours=9)).date()
        self.call("POST", "/v1/%s/practice" % name, {
            "actionId": "a1", "date": {"year": today.year, "month": today.month, "day": today.day},
            "done": "初回の改善ミーティングを開いた。", "result": "5人が参加した。"}, token=owner)
        r2 = self.call("POST", "/v1/%s:commit" % name,
                       {"etag": plan["etag"], "message": "フィードバックを反映"}, token=owner)
        self.assertEqual((int(r2["number"]), int(r2["parent"])), (2, 1))

        # --- what changed, character by character in Japanese
        diff = self.call("GET", "/v1/%s:diff?fromRevision=1&toRevision=2" % name, token=owner)
        self.assertEqual([(a["actionId"], a["kind"]) for a in diff["actions"]],
                         [("a1", "CHANGED"), ("a2", "ADDED")])
        rendered = {t["field"]: t["rendered"] for t in diff["text"]}
        self.assertEqual(rendered["actions[a1].description"],
                         "毎月一回、課内で小さな改善を共有{+し、記録+}する。")

        # --- FOLLOW_UP before meeting 7 and FINAL before meeting 8
        plan = self.call("GET", "/v1/" + name, token=owner)
        plan = self.call("POST", "/v1/%s:submitStage" % name,
                         {"stage": "FOLLOW_UP", "etag": plan["etag"]}, token=owner)
        plan = self.call("POST", "/v1/%s:submitStage" % name,
                         {"stage": "FINAL", "revision": 2, "etag": plan["etag"]}, token=owner)
        plan = self.call("GET", "/v1/" + name, token=owner)
        self.assertEqual([(st["stage"], int(st["revision"]), st["meeting"]) for st in plan["stages"]],
                         [("INTERIM", 1, cohort + "/meetings/m6"),
                          ("FOLLOW_UP", 2, cohort + "/meetings/m7"),
                          ("FINAL", 2, cohort + "/meetings/m8")])
        follow_up = plan["stages"][1]
        self.assertEqual(follow_up["practisedActions"], ["a1"])
        self.assertTrue(follow_up["sinceInterim"]["actions"])
        self.assertEqual(int(plan["latestRevision"]), 2)
        seen = self.call("GET", "/v1/" + name, token=mate)
        self.assertEqual(len(seen["stages"]), 3)
        self.assertNotIn("draft", seen)

    def test_one_survey_wave_end_to_end(self):
        """A pre-survey wave through the gateway: the secretariat opens it on
        the built-in questionnaire, two participants save and submit their own
        answers, the staff list and export them, each person reads their own
        insect's eye, the staff the bird's eye; an anonymous follow-up hands out
        a response key once."""
        s = self.stack
        a = s.token("e2e-survey-a", ["participant"])
        b = s.token("e2e-survey-b", ["participant"])
        now = datetime.datetime.utcnow()
        cohort = "cohorts/e2e-survey"

        # --- its own cohort: two participants with accounts, from two towns
        self.call("POST", "/v1/cohorts?cohortId=e2e-survey", {
            "title": "アンケートの研究会", "fiscalYear": now.year, "capacity": 4,
            "maxMunicipalities": 2,
            "applicationOpenTime": rfc3339(now - datetime.timedelta(hours=1)),
            "applicationCloseTime": rfc3339(now + datetime.timedelta(days=30))},
            token=self.secretariat)
        self.call("POST", "/v1/%s:transition" % cohort, {"state": "OPEN"}, token=self.secretariat)
        a_app = self.call("POST", "/v1/%s/applications" % cohort,
                          {"members": [person(301, MATSUSAKA)]}, token=a)
        b_app = self.call("POST", "/v1/%s/applications" % cohort,
                          {"members": [person(302, CHIYODA)]}, token=b)
        self.assertEqual([a_app["state"], b_app["state"]], ["ACCEPTED", "ACCEPTED"])
        pa, pb = a_app["participants"][0], b_app["participants"][0]

        # --- meetings 1, 7 and 8 confirmed in the future: a series starting
        # next year, meeting 1 on 24 July, 7 in June and 8 in December after it
        year = now.year + 1
        m1_start = "%d-07-24T00:00:00Z" % year
        m8_start = "%d-12-10T01:00:00Z" % (year + 1)
        series = self.call("POST", "/v1/%s/meetings:createSeries" % cohort, {
            "template": "templates/next-gen-leaders-fy2022", "startYear": year,
            "firstMeetingStart": m1_start}, token=self.secretariat)
        self.assertEqual(series["meetings"][0]["state"], "CONFIRMED")
        for meeting, start in (("m7", "%d-06-10T01:00:00Z" % (year + 1)), ("m8", m8_start)):
            confirmed = self.call("POST", "/v1/%s/meetings/%s:schedule" % (cohort, meeting),
                                  {"startTime": start}, token=self.secretariat)
            self.assertEqual(confirmed["state"], "CONFIRMED")

        # --- the secretariat creates the PRE wave on the built-in version:
        # open now, closing when meeting 1 starts; a participant may not
        self.call("POST", "/v1/%s/waves" % cohort,
                  {"kind": "PRE", "instrumentVersion": PRE_SURVEY}, token=a, expect=403)
        pre = self.call("POST", "/v1/%s/waves" % cohort,
                        {"kind": "PRE", "instrumentVersion": PRE_SURVEY}, token=self.secretariat)
        wave = pre["name"]
        self.assertEqual(wave, cohort + "/waves/pre")
        self.assertEqual((pre["state"], pre["closeTime"]), ("OPEN", m1_start))
        # The 12-month follow-up defaults to the 30 days before meeting 8.
        f12 = self.call("POST", "/v1/%s/waves" % cohort,
                        {"kind": "FOLLOW_UP_12", "instrumentVersion": PRE_SURVEY},
                        token=self.secretariat)
        self.assertEqual((f12["state"], f12["openTime"], f12["closeTime"]),
                         ("SCHEDULED", "%d-11-10T01:00:00Z" % (year + 1), m8_start))
        listed = self.call("GET", "/v1/%s/waves" % cohort, token=a)
        self.assertEqual([w["kind"] for w in listed["waves"]], ["PRE", "FOLLOW_UP_12"])

        # --- two participants save partial answers, then submit their own
        a_likert = {"wall-peers": [5, 4, 2, 4], "wall-hr": [2, 2, 4, 1], "self-efficacy": [4, 4, 3, 2]}
        a_text = "係内で改善を提案しても、同僚が忙しさを理由に協力してくれない。"
        b_likert = {"wall-seniors": [5, 5, 1, 4], "mgmt-speed": [2, 1, 2]}
        b_text = "課長に提案する場がなく、上司の前では改善のアイデアを言い出しにくい。"
        partial = self.call("POST", "/v1/%s/responses:save" % wave, {
            "answers": [{"itemId": "free-wall-now", "text": a_text}],
            "requestId": "e2e-survey-a-1"}, token=a)
        self.assertFalse(partial.get("submitted", False))
        self.assertEqual((partial["participant"], partial["municipalityCode"]), (pa, MATSUSAKA))
        mine = self.call("GET", "/v1/%s/responses:mine" % wave, token=a)
        self.assertEqual([(x["itemId"], x["text"]) for x in mine["answers"]],
                         [("free-wall-now", a_text)])
        submitted = self.call("POST", "/v1/%s/responses:save" % wave, {
            "answers": survey_answers(a_likert, wall_now=a_text), "submit": True,
            "etag": mine["etag"]}, token=a)
        self.assertTrue(submitted["submitted"])
        self.assertEqual(submitted["name"], partial["name"])  # one response per person
        self.call("POST", "/v1/%s/responses:save" % wave, {
            "answers": survey_answers(b_likert, wall_now=b_text)[:10]}, token=b)
        # Submitting without a required answer names the item.
        missing = self.call("POST", "/v1/%s/responses:save" % wave, {
            "answers": survey_answers(b_likert, years=None, wall_now=b_text), "submit": True},
            token=b, expect=400)
        self.assertEqual(missing["error"]["status"], "INVALID_ARGUMENT")
        self.assertIn("ANSWER_REQUIRED", [d.get("reason") for d in missing["error"]["details"]])
        fields = [v["field"] for d in missing["error"]["details"]
                  for v in d.get("fieldViolations", [])]
        self.assertEqual(fields, ["answers[profile-years]"])
        self.call("POST", "/v1/%s/responses:save" % wave, {
            "answers": survey_answers(b_likert, wall_now=b_text), "submit": True}, token=b)
        # Staff answer nothing; a participant reads no one else's answers.
        self.call("POST", "/v1/%s/responses:save" % wave, {"answers": []},
                  token=self.secretariat, expect=403)
        self.call("GET", "/v1/%s/responses" % wave, token=a, expect=403)

        # --- the staff list the responses and export them for Excel
        responses = self.call("GET", "/v1/%s/responses" % wave, token=self.secretariat)
        self.assertEqual(sorted(r["participant"] for r in responses["responses"]), sorted([pa, pb]))
        self.assertTrue(all(r["submitted"] for r in responses["responses"]))
        texts = {r["participant"]: [x["text"] for x in r["answers"] if x["itemId"] == "free-wall-now"]
                 for r in responses["responses"]}
        self.assertEqual(texts, {pa: [a_text], pb: [b_text]})
        status, hdrs, raw = s.http("GET", "/v1/%s/responses:export" % wave, token=self.secretariat)
        self.assertEqual(status, 200)
        self.assertTrue(hdrs.get("Content-Type", "").startswith("text/csv"), hdrs)
        self.assertTrue(raw.startswith(b"\xef\xbb\xbf"), raw[:10])
        text = raw.decode("utf-8-sig")
        self.assertIn('"=""%s"""' % MATSUSAKA, text)  # ="242047": the code stays text
        rows = list(csv.reader(io.StringIO(text)))
        self.assertEqual(len(rows), 3)
        self.assertEqual(rows[0][:5], ["回答", "参加者", "自治体コード", "自治体名", "提出日時"])
        by_name = {row[1]: row for row in rows[1:]}
        self.assertEqual(by_name["架空 太郎301"][2], '="%s"' % MATSUSAKA)
        self.assertEqual(by_name["架空 太郎301"][3], "松阪市")
        self.assertIn(a_text, by_name["架空 太郎301"])
        self.assertIn(b_text, by_name["架空 太郎302"])

        # --- the insect's eye: each person their own profile, nobody else's
        profile = self.call("GET", "/v1/%s:profile?wave=pre" % pa, token=a)
        self.assertEqual((profile["participant"], profile["wave"]), (pa, wave))
        scores = {sc["scaleId"]: sc for sc in profile["scales"]}
        self.assertEqual(set(scores), set(SCALE_ITEMS))
        # Item 3 of a wall is reverse-coded: (5 + 4 + (6 - 2) + 4) / 4.
        self.assertAlmostEqual(scores["wall-peers"]["score"], 4.25)
        self.assertEqual(profile["wallsRanked"][0], "PEERS")
        self.call("GET", "/v1/%s:profile?wave=pre" % pb, token=a, expect=403)
        self.call("GET", "/v1/%s:profile?wave=pre" % pb, token=self.secretariat)

        # --- the bird's eye: staff see the cohort's municipality at any size;
        # a participant only groups of at least k
        town = self.call("GET", "/v1/municipalities/%s/profile?waveKind=PRE&cohort=%s"
                         % (MATSUSAKA, cohort), token=self.secretariat)
        self.assertEqual((town["municipalityCode"], town["waveKind"], town["respondents"]),
                         (MATSUSAKA, "PRE", 1))
        self.assertGreaterEqual(town["poolRespondents"], 2)
        self.assertFalse(town.get("suppressed", False))
        self.assertEqual(len(town["scales"]), len(SCALE_ITEMS))
        self.assertEqual(len(town["mostDistinctive"]), 5)
        hidden = self.call("GET", "/v1/municipalities/%s/profile?waveKind=PRE" % MATSUSAKA,
                           token=a)
        self.assertTrue(hidden["suppressed"])
        self.assertEqual(hidden.get("scales", []), [])  # defaults are emitted: empty
        self.call("GET", "/v1/municipalities/%s/profile?waveKind=PRE&cohort=%s"
                  % (MATSUSAKA, cohort), token=a, expect=403)

        # --- an anonymous follow-up (window around now): the first save
        # returns a response key once; a second first save is refused
        follow_up = self.call("POST", "/v1/%s/waves" % cohort, {
            "kind": "FOLLOW_UP_6", "instrumentVersion": PRE_SURVEY, "anonymous": True,
            "openTime": rfc3339(now - datetime.timedelta(hours=1)),
            "closeTime": rfc3339(now + datetime.timedelta(hours=2))}, token=self.secretariat)
        self.assertEqual((follow_up["state"], follow_up["anonymous"]), ("OPEN", True))
        anon = follow_up["name"]
        first = self.call("POST", "/v1/%s/responses:save" % anon,
                          {"answers": survey_answers({"wall-peers": [3, 3, 3, 3]})}, token=a)
        key = first["responseKey"]
        self.assertTrue(key)
        self.assertEqual(first.get("participant", ""), "")
        again = self.call("POST", "/v1/%s/responses:save" % anon,
                          {"answers": survey_answers({})}, token=a, expect=409)
        self.assertEqual(again["error"]["status"], "ALREADY_EXISTS")
        self.assertIn("ALREADY_RESPONDED", [d.get("reason") for d in again["error"]["details"]])
        edited = self.call("POST", "/v1/%s/responses:save" % anon, {
            "answers": survey_answers({"wall-peers": [2, 2, 4, 2]}), "submit": True,
            "responseKey": key}, token=a)
        self.assertEqual(edited["name"], first["name"])
        self.assertEqual(edited.get("responseKey", ""), "")  # shown once
        self.assertIn("submitDate", edited)
        self.assertNotIn("submitTime", edited)
        listed = self.call("GET", "/v1/%s/responses" % anon, token=self.secretariat)
        self.assertEqual(len(listed["responses"]), 1)
        self.assertEqual(listed["responses"][0].get("participant", ""), "")
        self.call("GET", "/v1/%s:profile?wave=follow-up-6" % pa, token=a, expect=400)

    def test_grpc_smoke_through_the_gateway(self):
        """The same path over gRPC through the gateway, for partner systems."""
        from google.protobuf import json_format

        if self.stack.grpc_target is None:
            self.skipTest("no gRPC address of the gateway (KAIZEN_GATEWAY_GRPC)")
        m = kaizen_stack.load_messages("kaizen/enrollment/v1/enrollment.proto")
        pkg = "kaizen.enrollment.v1."
        channel = grpc.insecure_channel(self.stack.grpc_target)

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
        # It waits for the mailed confirmation (issue #13), then is admitted.
        self.assertEqual(app.state, m[pkg + "Application"].State.Value("SUBMITTED"))
        link = [("x-kaizen-application-token", app.access_token)]  # shown once, at creation
        self.stack.confirm_application({"name": app.name, "state": "SUBMITTED",
                                        "accessToken": app.access_token},
                                       [person(101, CHIYODA)["email"]])
        app = rpc("GetApplication", msg("GetApplicationRequest", name=app.name), "Application", link)
        self.assertEqual(app.state, m[pkg + "Application"].State.Value("ACCEPTED"))
        again = rpc("GetApplication", msg("GetApplicationRequest", name=app.name), "Application",
                    link)
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
