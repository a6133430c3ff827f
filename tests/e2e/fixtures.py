"""Data the end-to-end tests share: times as the API writes them and the
built-in pre-survey's answers."""


def rfc3339(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


# The built-in pre-survey (services/survey/instruments.cc): ten scales of
# five-point Likert items, two required profile items, two free texts.
PRE_SURVEY = "instruments/kaizen-pre/versions/v1"
SCALE_ITEMS = {"wall-peers": 4, "wall-seniors": 4, "wall-executives": 4, "wall-hr": 4,
               "mgmt-openness": 3, "mgmt-speed": 3, "mgmt-culture": 3, "mgmt-cooperation": 3,
               "mgmt-leadership": 3, "self-efficacy": 4}


def survey_answers(likert, years=6, wall_now=None):
    """Answers to the pre-survey: `likert` maps a scale id to its items'
    answers (1-5, in item order; other scales answer 3 throughout)."""
    answers = []
    for scale, count in SCALE_ITEMS.items():
        values = likert.get(scale, [3] * count)
        answers += [{"itemId": "%s-%d" % (scale, i + 1), "likert": v} for i, v in enumerate(values)]
    answers.append({"itemId": "profile-department", "choice": "general-affairs"})
    if years is not None:
        answers.append({"itemId": "profile-years", "number": years})
    if wall_now:
        answers.append({"itemId": "free-wall-now", "text": wall_now})
    return answers
