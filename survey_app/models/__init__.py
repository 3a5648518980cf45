"""Database models, grouped by concept; import from here."""

from survey_app.models.audit import AuditEntry
from survey_app.models.collections import PHASES, TIME_POINTS, Collection, UsedJoinCode
from survey_app.models.paper import PrintBatch, Sheet
from survey_app.models.people import ROLES, Group, Partnership, School, User
from survey_app.models.plans import EvaluationPlan, PlanAllocation, PlanAmendment
from survey_app.models.quotes import ReportQuote
from survey_app.models.responses import (
    ANSWER_STATUSES,
    SOURCES,
    Answer,
    AnswerStatus,
    Response,
)
from survey_app.models.scans import (
    BATCH_STATUSES,
    PAGE_STATUSES,
    BatchStatus,
    PageStatus,
    ResponseImage,
    ReviewItem,
    ReviewStatus,
    ScanBatch,
    ScanPage,
)
from survey_app.models.settings import Setting
from survey_app.models.storage import StoredFile
from survey_app.models.surveys import Survey, SurveyVersion
from survey_app.models.tally import TALLY_KINDS, TallyBlock, TallyCount

__all__ = [
    "ANSWER_STATUSES", "BATCH_STATUSES", "EvaluationPlan", "PlanAllocation", "PlanAmendment",
    "PAGE_STATUSES", "PHASES", "AuditEntry", "ResponseImage",
    "ReviewItem", "ScanBatch", "ScanPage", "ROLES", "SOURCES", "Answer", "Collection", "Group",
    "Partnership", "PrintBatch", "ReportQuote", "Response", "School", "Setting", "Sheet", "Survey",
    "SurveyVersion", "TALLY_KINDS", "TIME_POINTS", "TallyBlock", "TallyCount", "UsedJoinCode",
    "User", "StoredFile", "AnswerStatus", "BatchStatus", "PageStatus", "ReviewStatus",
]
