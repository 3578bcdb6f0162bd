"""Forms that read request values refuse a NUL character before any field uses it (config/query_forms.py),
the piece the search views' fixes use. On PostgreSQL a NUL reaching a query is a server error."""

import pytest
from django import forms
from django.http import QueryDict

from config.query_forms import NUL_MESSAGE, QueryForm, RefusesNul
from stats.models import Area

pytestmark = pytest.mark.django_db


class Everything(RefusesNul, forms.Form):
    text = forms.CharField(required=False)
    choice = forms.ChoiceField(required=False, choices=[("a", "A")])
    several = forms.MultipleChoiceField(required=False, choices=[("a", "A"), ("b", "B")])
    area = forms.ModelChoiceField(required=False, queryset=Area.objects.all(), to_field_name="code")
    day = forms.DateField(required=False)
    number = forms.IntegerField(required=False)


@pytest.mark.parametrize(("name", "value"), [
    ("text", "ab\x00c"), ("choice", "a\x00"), ("several", ["a", "\x00"]), ("area", "E23000029\x00"),
    ("day", "2027-03-09\x00"), ("number", "1\x00"),
])
def test_a_nul_in_any_field_is_refused_with_a_clear_message_and_never_looked_up(
        django_assert_num_queries, name, value):
    data = QueryDict(mutable=True)
    data.setlist(name, value if isinstance(value, list) else [value])

    with django_assert_num_queries(0):
        form = Everything(data)
        assert not form.is_valid()

    assert form.errors == {name: [NUL_MESSAGE]}


def test_values_without_a_nul_are_read_as_the_fields_read_them():
    form = Everything(QueryDict("text=caf%C3%A9&choice=a&several=a&several=b&area=E23000029&day=2027-03-09&number=7"))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["area"].code == "E23000029" and form.cleaned_data["several"] == ["a", "b"]


class Search(QueryForm):
    q = forms.CharField(required=False, max_length=10, initial="")
    sort = forms.ChoiceField(required=False, choices=[("name", "name"), ("-name", "-name")], initial="name")


def test_a_query_form_gives_the_initial_value_for_a_refused_or_missing_one_and_says_what_was_refused():
    search = Search(QueryDict("q=%00&sort=bogus"))

    assert (search.value("q"), search.value("sort")) == ("", "name")
    assert search.problems == [f"Q: {NUL_MESSAGE}",
                               "Sort: Select a valid choice. bogus is not one of the available choices."]
    assert Search(QueryDict("")).value("sort") == "name" and Search(QueryDict("")).problems == []
    assert Search(QueryDict("q=hawthorn&sort=-name")).value("sort") == "-name"
