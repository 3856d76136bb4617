"""The corporate customer's form: created and edited through the pages, every bad field
refused in Chinese with nothing saved, stale and double submits handled."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from archives.models import Role
from credit import archive
from credit.forms.archive import CustomerForm
from credit.models import CorporateCustomer, Group, Industry, TeamMember
from tests.builders import credit_code, make_branch, make_corporate, make_user, wrong_check_digit
from tests.conftest import login
from tests.form_data import posted

pytestmark = pytest.mark.django_db

CREATE = reverse("credit:customer_create")
NOTHING_SAVED = "未保存：请更正下方标出的内容"
STALE = "此记录已被他人修改"
OUT_OF_SCOPE = "已在其他网点建档，请联系总行"


def new_form(client, **changes):
    response = client.get(CREATE)
    assert response.status_code == 200
    data = posted(response.context["form"])
    data.update({"name": "红安新建材有限公司", "credit_code": credit_code()}, **changes)
    return data


def edit_form(client, customer, **changes):
    response = client.get(reverse("credit:customer_edit", args=[customer.pk]))
    assert response.status_code == 200
    data = posted(response.context["form"])
    data.update(changes)
    return data


def history_rows():
    return CorporateCustomer.history.count()


def test_the_branch_head_files_a_customer_with_its_history(world):
    client = login(world.branch_head)
    industry = Industry.objects.create(code="C30", name="非金属矿物制品业", key_supported=True)
    data = new_form(
        client,
        industry=str(industry.pk),
        size="medium",
        legal_representative="张建国",
        finance_contact="李会计",
        finance_phone="138 1234 5678",
        relationship_since="2020-03-01",
        china_top_500="on",
        profit_margin="8.5",
        industry_average_margin="6",
        tax_grade="A",
        policy_kinds=["tech_sme", "other"],
        other_policy_reason="县级专精特新企业",
    )
    response = client.post(CREATE, data)

    customer = CorporateCustomer.objects.get(name="红安新建材有限公司")
    assert response.status_code == 302
    assert response["Location"] == reverse("credit:customer", args=[customer.pk])
    assert customer.branch == world.branch1
    assert customer.finance_phone == "13812345678"
    assert customer.relationship_since == datetime.date(2020, 3, 1)
    assert str(customer.profit_margin) == "8.50"
    assert customer.policy_kinds == ["tech_sme", "other"]
    assert customer.china_top_500
    assert not customer.central_soe
    (record,) = customer.history.all()
    assert (record.history_type, record.history_user) == ("+", world.branch_head)
    assert not customer.team.exists()  # the branch head sets the team afterwards


def test_a_corporate_manager_files_a_customer_of_their_branch_and_becomes_its_a_role(world):
    client = login(world.corp_b1)
    assert "branch" not in client.get(CREATE).context["form"].fields
    client.post(CREATE, new_form(client))

    customer = CorporateCustomer.objects.get(name="红安新建材有限公司")
    assert customer.branch == world.branch1
    (member,) = customer.team.all()
    assert (member.user, member.role) == (world.corp_b1, "A")
    assert member.history.get().history_user == world.corp_b1


def test_a_head_of_several_branches_chooses_among_theirs_only(world):
    branch3 = make_branch(name="永佳河支行", code="B03")
    head = make_user(Role.BRANCH_HEAD, branches=[world.branch1, branch3])
    client = login(head)
    form = client.get(CREATE).context["form"]
    assert set(form.fields["branch"].queryset) == {world.branch1, branch3}

    refused = client.post(CREATE, new_form(client, branch=str(world.branch2.pk)))
    assert refused.status_code == 200
    assert "branch" in refused.context["form"].errors
    assert not CorporateCustomer.objects.filter(name="红安新建材有限公司").exists()

    client.post(CREATE, new_form(client, branch=str(branch3.pk)))
    assert CorporateCustomer.objects.get(name="红安新建材有限公司").branch == branch3


TODAY = timezone.localdate()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param(
            {"credit_code": "91421122MA49XXXXX"},
            "credit_code",
            "不是有效的统一社会信用代码",
            id="a credit code of 17 characters",
        ),
        pytest.param(
            {"credit_code": wrong_check_digit(credit_code())},
            "credit_code",
            "不是有效的统一社会信用代码",
            id="a credit code with a wrong check digit",
        ),
        pytest.param({"credit_code": ""}, "credit_code", "此项为必填项", id="no credit code"),
        pytest.param({"name": ""}, "name", "此项为必填项", id="no name"),
        pytest.param(
            {"relationship_since": (TODAY + datetime.timedelta(days=1)).isoformat()},
            "relationship_since",
            "合作起始日期不能晚于今天",
            id="a relationship starting tomorrow",
        ),
        pytest.param(
            {"finance_phone": "1381234567"},
            "finance_phone",
            "手机号应为 11 位数字",
            id="a mobile of ten digits",
        ),
        pytest.param(
            {"finance_phone": "12812345678"},
            "finance_phone",
            "手机号应为 11 位数字",
            id="a mobile starting with 12",
        ),
        pytest.param(
            {"profit_margin": "-100.01"},
            "profit_margin",
            "应在 -100 至 100 之间",
            id="a margin below -100 per cent",
        ),
        pytest.param(
            {"industry_average_margin": "100.01"},
            "industry_average_margin",
            "应在 -100 至 100 之间",
            id="an industry average above 100 per cent",
        ),
        pytest.param(
            {"profit_margin": "abc"}, "profit_margin", "输入一个数字", id="a margin not a number"
        ),
        pytest.param(
            {"profit_margin": "5.123"},
            "profit_margin",
            "小数不超过 2 位",
            id="a margin with three decimals",
        ),
        pytest.param(
            {"policy_kinds": ["other"], "other_policy_reason": " "},
            "other_policy_reason",
            "请填写理由",
            id="another policy kind without its reason",
        ),
        pytest.param(
            {"policy_kinds": ["tech_sme"], "other_policy_reason": "县级专精特新"},
            "other_policy_reason",
            "理由仅用于",
            id="a reason without another policy kind",
        ),
        pytest.param(
            {"policy_kinds": ["no_such_kind"]},
            "policy_kinds",
            "不在可用的选项中",
            id="an unknown policy kind",
        ),
        pytest.param(
            {"tax_grade": "E"}, "tax_grade", "不在可用的选项中", id="an unknown tax grade"
        ),
        pytest.param({"size": "huge"}, "size", "不在可用的选项中", id="an unknown size"),
    ],
)
def test_a_bad_field_is_refused_in_chinese_and_nothing_is_saved(world, changes, field, message):
    client = login(world.branch_head)
    before = (CorporateCustomer.objects.count(), history_rows(), Group.objects.count())
    response = client.post(CREATE, new_form(client, new_group="新集团", **changes))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert NOTHING_SAVED in response.text
    assert (CorporateCustomer.objects.count(), history_rows(), Group.objects.count()) == before


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"relationship_since": TODAY.isoformat()}, id="a relationship starting today"),
        pytest.param(
            {"profit_margin": "-100", "industry_average_margin": "100"}, id="margins at ±100"
        ),
        pytest.param({"finance_phone": "+86 199-0000-1111"}, id="a mobile with +86 and dashes"),
        pytest.param(
            {"credit_code": " " + credit_code().lower() + " "}, id="a credit code typed lower case"
        ),
        pytest.param(
            {"policy_kinds": ["other"], "other_policy_reason": "专精特新"},
            id="another kind with its reason",
        ),
    ],
)
def test_a_field_at_its_boundary_is_accepted(world, changes):
    client = login(world.branch_head)
    response = client.post(CREATE, new_form(client, **changes))
    assert response.status_code == 302, response.context["form"].errors
    customer = CorporateCustomer.objects.get(name="红安新建材有限公司")
    assert customer.credit_code == customer.credit_code.strip().upper()


def test_a_duplicate_credit_code_in_scope_links_to_the_record(world):
    client = login(world.branch_head)
    response = client.post(CREATE, new_form(client, credit_code=world.company_1.credit_code))

    errors = " ".join(response.context["form"].errors["credit_code"])
    assert "该统一社会信用代码已建档" in errors
    assert reverse("credit:customer", args=[world.company_1.pk]) in errors
    assert CorporateCustomer.objects.count() == 2


@pytest.mark.parametrize("role", ["branch_head", "corp_a1"])
def test_a_duplicate_credit_code_out_of_scope_says_nothing_more(world, role):
    client = login(getattr(world, role))
    response = client.post(CREATE, new_form(client, credit_code=world.company_2.credit_code))

    assert response.context["form"].errors["credit_code"] == [OUT_OF_SCOPE]
    assert world.company_2.name not in response.text
    assert reverse("credit:customer", args=[world.company_2.pk]) not in response.text
    assert CorporateCustomer.objects.count() == 2


def test_a_double_submitted_creation_files_one_customer(world):
    client = login(world.branch_head)
    data = new_form(client)
    assert client.post(CREATE, data).status_code == 302
    again = client.post(CREATE, data)

    assert again.status_code == 200
    assert "该统一社会信用代码已建档" in again.text
    assert CorporateCustomer.objects.filter(credit_code=data["credit_code"]).count() == 1


def test_a_new_group_is_created_once_and_a_typed_existing_group_is_that_group(world):
    client = login(world.branch_head)
    client.post(CREATE, new_form(client, new_group="  红安  城投集团 "))
    group = Group.objects.get()
    assert group.name == "红安 城投集团"
    assert CorporateCustomer.objects.get(name="红安新建材有限公司").group == group

    client.post(CREATE, new_form(client, name="红安城投二公司", new_group="红安 城投集团"))
    assert Group.objects.count() == 1
    assert CorporateCustomer.objects.get(name="红安城投二公司").group == group


def test_a_group_chosen_and_a_new_one_typed_is_refused(world):
    group = Group.objects.create(name="红安城投集团")
    client = login(world.branch_head)
    response = client.post(CREATE, new_form(client, group=str(group.pk), new_group="另一集团"))
    assert "二者只能选其一" in " ".join(response.context["form"].errors["new_group"])
    assert Group.objects.count() == 1
    assert CorporateCustomer.objects.count() == 2


def test_a_head_office_to_head_office_agreement_is_a_strategic_agreement(world):
    client = login(world.branch_head)
    client.post(CREATE, new_form(client, head_to_head_agreement="on"))
    customer = CorporateCustomer.objects.get(name="红安新建材有限公司")
    assert customer.head_to_head_agreement
    assert customer.strategic_agreement


# ---- edits -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["corp_a1", "branch_head", "deputy_head"])
def test_the_a_role_and_the_branch_leaders_edit_and_the_history_keeps_who(world, role):
    user = getattr(world, role)
    customer = world.company_1
    client = login(user)
    url = reverse("credit:customer_edit", args=[customer.pk])
    response = client.post(url, edit_form(client, customer, legal_representative="王法人"))

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.legal_representative == "王法人"
    latest = customer.history.latest("history_date")
    assert (latest.history_type, latest.history_user) == ("~", user)
    assert customer.branch == world.branch1


def test_a_bad_edit_changes_nothing(world):
    customer = world.company_1
    client = login(world.corp_a1)
    url = reverse("credit:customer_edit", args=[customer.pk])
    before = history_rows()
    response = client.post(
        url, edit_form(client, customer, name="改名", credit_code=world.company_2.credit_code)
    )
    assert response.context["form"].errors["credit_code"] == [OUT_OF_SCOPE]
    customer.refresh_from_db()
    assert customer.name == "红安城关建材有限公司"
    assert history_rows() == before


def test_a_stale_edit_is_refused_and_the_first_save_stays(world):
    customer = world.company_1
    first, second = login(world.branch_head), login(world.deputy_head)
    url = reverse("credit:customer_edit", args=[customer.pk])
    data_first, data_second = edit_form(first, customer), edit_form(second, customer)

    data_first["finance_contact"] = "李会计"
    assert first.post(url, data_first).status_code == 302
    data_second["legal_representative"] = "王法人"
    response = second.post(url, data_second)

    assert response.status_code == 409
    assert STALE in response.text
    differences = {d.label: (d.theirs, d.yours) for d in response.context["stale"].differences}
    assert differences == {"财务联系人": ("李会计", "—"), "法定代表人": ("—", "王法人")}
    customer.refresh_from_db()
    assert (customer.finance_contact, customer.legal_representative) == ("李会计", "")

    again = posted(response.context["form"])  # the page now carries the stored version
    again["finance_contact"] = "李会计"
    assert second.post(url, again).status_code == 302
    customer.refresh_from_db()
    assert (customer.finance_contact, customer.legal_representative) == ("李会计", "王法人")


def test_a_double_submitted_edit_writes_one_history_row(world):
    customer = world.company_1
    client = login(world.corp_a1)
    url = reverse("credit:customer_edit", args=[customer.pk])
    data = edit_form(client, customer, size="small")
    before = history_rows()
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert history_rows() == before + 1


def test_a_b_role_may_not_edit(world):
    client = login(world.corp_b1)
    response = client.post(
        reverse("credit:customer_edit", args=[world.company_1.pk]), {"name": "改名"}
    )
    assert response.status_code == 404
    world.company_1.refresh_from_db()
    assert world.company_1.name == "红安城关建材有限公司"


def test_a_team_member_that_was_a_leaves_the_edit(world):
    TeamMember.objects.filter(customer=world.company_1, user=world.corp_a1).update(role="B2")
    response = login(world.corp_a1).get(reverse("credit:customer_edit", args=[world.company_1.pk]))
    assert response.status_code == 404


def test_a_credit_code_filed_by_someone_else_after_the_check_is_named_not_a_500(world):
    code = credit_code()
    client = login(world.branch_head)
    data = new_form(client, credit_code=code)
    form = CustomerForm(
        data,
        instance=CorporateCustomer(),
        user=world.branch_head,
        today=TODAY,
        branches=[world.branch1],
    )
    assert form.is_valid(), form.errors
    winner = make_corporate(world.branch2, name="同时建档公司", credit_code=code)

    with pytest.raises(archive.AlreadyOnFile) as raised:
        archive.save_customer(form=form, user=world.branch_head)
    assert raised.value.existing == winner
    assert CorporateCustomer.objects.filter(credit_code=code).count() == 1
