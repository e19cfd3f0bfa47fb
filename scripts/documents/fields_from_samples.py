#!/usr/bin/env python3
"""Prints the `[[type.fields]]` of each document type, derived from the keys
of its sample (assets/documents/samples/<code>.json) and the labels below.

Used once to write the field lists into assets/documents/catalogue.toml; the
catalogue is the source of truth afterwards (a test checks that every sample
satisfies its type's fields). Usage: python3 scripts/documents/fields_from_samples.py
"""
import json, pathlib, sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
LABELS = {
    "recipient": ("受文单位（受送达人）", "Recipient"),
    "contact_person": ("联系人", "Contact person"),
    "contact_phone": ("联系电话", "Contact phone"),
    "contact_address": ("联系地址", "Contact address"),
    "legal_basis": ("法律依据", "Legal basis"),
    "deadline_days": ("整改期限（日）", "Period to rectify (days)"),
    "problems": ("发现的问题", "Problems found"),
    "requirements": ("整改要求", "Requirements"),
    "scope": ("检查内容", "Scope of the check"),
    "supervision_date": ("监督检查日期", "Date of the check"),
    "authority": ("作出依据", "Authority"),
    "act_date": ("行政行为日期", "Date of the act"),
    "act": ("被监督的行政行为", "The act supervised"),
    "findings": ("查明的事实", "Findings"),
    "reasoning": ("理由", "Reasoning"),
    "decisions": ("决定事项", "Decisions"),
    "basis": ("检查依据", "Basis of the check"),
    "supervision_period": ("检查期间", "Period checked"),
    "case_cause": ("案由", "Cause of the case"),
    "party": ("当事人", "Party"),
    "applicant": ("申请人", "Applicant"),
    "name": ("名称（姓名）", "Name"),
    "credit_code": ("统一社会信用代码", "Unified social credit code"),
    "address": ("住所", "Address"),
    "legal_representative": ("法定代表人", "Legal representative"),
    "position": ("职务", "Position"),
    "phone": ("联系电话", "Phone"),
    "filed_on": ("立案日期", "Filed on"),
    "handlers": ("承办人", "Handlers"),
    "result": ("处理结果", "Result"),
    "execution": ("执行情况", "Execution"),
    "handler_opinion": ("承办人意见", "Handler's opinion"),
    "unit_opinion": ("承办机构意见", "Unit's opinion"),
    "chief_opinion": ("负责人审批意见", "Head's decision"),
    "source": ("案件来源", "Source"),
    "summary": ("案情摘要", "Summary"),
    "received_on": ("受理日期", "Received on"),
    "complainant": ("投诉（举报）人", "Complainant"),
    "complaint_date": ("投诉（举报）日期", "Date of the complaint"),
    "channel": ("来源渠道", "Channel"),
    "respondent": ("被投诉单位", "Respondent"),
    "matter": ("事项", "Matter"),
    "investigation_period": ("调查期间", "Investigation period"),
    "facts": ("违法事实", "Facts"),
    "violation": ("违法行为定性", "Violation"),
    "penalty_basis": ("处罚依据", "Legal basis of the penalty"),
    "fine_amount": ("罚款金额（元）", "Fine (yuan)"),
    "attendee": ("接受询问人", "Person to attend"),
    "time": ("时间", "Time"),
    "place": ("地点", "Place"),
    "documents": ("需提供的材料", "Documents to bring"),
    "unit": ("被检查单位", "Unit inspected"),
    "inspectors": ("检查人员", "Inspectors"),
    "recorder": ("记录人", "Recorder"),
    "present": ("在场人员", "Present"),
    "reason": ("不予受理理由", "Reason"),
    "advice": ("告知事项", "Advice"),
    "filing_date": ("立案日期", "Filed on"),
    "evidence": ("证据", "Evidence"),
    "procedure": ("办案程序", "Procedure"),
    "discretion": ("裁量理由", "Reason for the amount (discretion)"),
    "penalty": ("处罚决定", "Penalty"),
    "other_orders": ("其他责令事项", "Other orders"),
    "payment_bank": ("缴款银行", "Bank for payment"),
    "payment_payee": ("收款单位", "Payee"),
    "review_organ": ("行政复议机关", "Administrative review organ"),
    "court": ("管辖法院", "Court"),
    "reply_days": ("陈述申辩期限（日）", "Days to reply"),
    "violations": ("违法行为", "Violations"),
    "deadline": ("改正期限", "Deadline"),
    "orders": ("改正要求", "Orders"),
    "original_date": ("原文书日期", "Date of the original document"),
    "original_document": ("原文书", "Original document"),
    "application_date": ("申请复查日期", "Date of the application"),
    "applicant_claim": ("申请人请求", "Applicant's claim"),
    "decision": ("复查决定", "Decision"),
    "document": ("送达文书名称及文号", "Document served"),
    "method": ("送达方式", "Method"),
    "recipient_signature": ("受送达人签名或盖章", "Recipient's signature"),
    "proxy": ("代收人", "Received on behalf by"),
    "server": ("送达人", "Served by"),
    "witness": ("见证人", "Witness"),
    "served_on": ("送达日期", "Served on"),
    "remarks": ("备注", "Remarks"),
    "notice_date": ("通知书日期", "Date of the notice"),
    "notice_number": ("通知书文号", "Number of the notice"),
    "background": ("背景情况", "Background"),
}
PER_TYPE = {
    ("inspection_record", "unit_opinion"): ("被检查单位意见", "Opinion of the unit inspected"),
    ("inspection_record", "phone"): ("联系电话", "Phone"),
    ("complaint_reply", "result"): ("处理结果", "Result"),
    ("service_receipt", "recipient"): ("受送达人", "Recipient"),
    ("service_receipt", "place"): ("送达地点", "Place"),
    ("service_receipt", "received_on"): ("签收日期", "Received on"),
    ("case_closing_form", "result"): ("处理结果", "Result"),
}
REQUIRED = {"recipient", "party.name", "applicant.name", "complainant", "case_cause", "unit", "document", "problems"}
MONEY = {"fine_amount"}


def kind(key, v):
    if key in MONEY:
        return "money"
    if isinstance(v, list):
        return "lines"
    if isinstance(v, bool):
        return "text"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, str) and (len(v) > 40 or "\n" in v):
        return "textarea"
    return "text"


def fields(code):
    d = json.loads((ROOT / "assets/documents/samples" / f"{code}.json").read_text())
    out = []
    for k, v in d.items():
        if isinstance(v, dict):
            outer = LABELS[k][0]
            for ik, iv in v.items():
                zh, en = LABELS[ik]
                out.append((f"{k}.{ik}", f"{outer}{zh}", f"{LABELS[k][1]}: {en}", kind(ik, iv)))
        else:
            zh, en = PER_TYPE.get((code, k), LABELS[k])
            out.append((k, zh, en, kind(k, v)))
    return out


def main():
    codes = [l.split('"')[1] for l in (ROOT / "assets/documents/catalogue.toml").read_text().splitlines() if l.startswith("code = ")]
    for code in codes:
        print(f"# {code}")
        for key, zh, en, k in fields(code):
            req = "true" if key in REQUIRED else "false"
            print(f'[[type.fields]]\nkey = "{key}"\nlabel_zh = "{zh}"\nlabel_en = "{en}"\nkind = "{k}"\nrequired = {req}')
        print()


if __name__ == "__main__":
    sys.exit(main())
