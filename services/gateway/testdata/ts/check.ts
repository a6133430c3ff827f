// Compiled with tsc --strict against the client generated from the
// gateway's /openapi.json (openapi_typescript_test.sh). Every line uses a
// type an operation must keep: a request body, a response, path and query
// parameters, an error body, readOnly/required fields. If the document loses
// an operation's types (a schema, a response, a parameter), this no longer
// compiles and the test fails.
import type { components, operations, paths } from "./api";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

// GetCohort: path parameter and the Cohort response.
type GetCohort = operations["GetCohort"];
const cohortParam: GetCohort["parameters"]["path"]["cohort"] = "fy2025";
type Cohort = Json<GetCohort["responses"][200]>;
const cohortTitle = (c: Cohort): string => c.title ?? "";
const cohortName = (c: Cohort): string | undefined => c.name;

// CreateApplication: a JSON request body with nested, typed members.
type CreateApplication = operations["CreateApplication"];
type CreateBody = Json<NonNullable<CreateApplication["requestBody"]>>;
const kana = (b: CreateBody): string | undefined => b.members?.[0]?.kana;

// ListApplications: query parameters and a list response.
type ListApplications = operations["ListApplications"];
const query: NonNullable<ListApplications["parameters"]["query"]> = { pageSize: 50 };
type ApplicationList = Json<ListApplications["responses"][200]>;
const firstState = (l: ApplicationList) => l.applications?.[0]?.state;

// Errors: the shared Error body on 401 and the service's statuses.
type Unauthorized = Json<GetCohort["responses"][404]>;
const reasonOf = (e: Unauthorized): string => e.error.status;
type Conflict = Json<operations["UpdateCohort"]["responses"][409]>;
const conflictCode = (e: Conflict): number => e.error.code;

// Calendars are text/calendar, not JSON.
type Calendar = operations["GetPersonCalendar"]["responses"][200]["content"]["text/calendar"];
const calendar: Calendar = "BEGIN:VCALENDAR";

// Paths are typed by their templates.
const route: keyof paths = "/v1/cohorts/{cohort}";
const schema: components["schemas"]["kaizen.enrollment.v1.Cohort"] | undefined = undefined;

export const used = [cohortParam, cohortTitle, cohortName, kana, query, firstState, reasonOf,
                     conflictCode, calendar, route, schema];
