"""The teacher feedback form: the 1–4 rating, three more 1–4 questions, "would you like us back?" and an
optional short comment that must not name a child."""

from __future__ import annotations

from django import forms

from sessions.models import TeacherFeedback
from sessions.models.feedback import AGREEMENT, COMMENT_LENGTH, SCORES


def score_choice(label: str, choices, name: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": f"{name}: choose one of the four answers."},
    )


class FeedbackForm(forms.ModelForm):
    rating = forms.TypedChoiceField(
        label="Overall, how was the visit?",
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Overall, how was the visit: choose one of the four answers.",
            "invalid_choice": "Overall, how was the visit: choose one of the four answers.",
        },
    )
    right_for_ages = score_choice("The sessions were right for our pupils' ages", AGREEMENT, "Right for the ages")
    pupils_engaged = score_choice("Our pupils were engaged", AGREEMENT, "Pupils engaged")
    volunteers_prepared = score_choice("The volunteers were well prepared", AGREEMENT, "Volunteers prepared")
    come_back = forms.ChoiceField(
        label="Would you like us to visit your school again?",
        choices=TeacherFeedback.ComeBack.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Would you like us back: choose yes, perhaps or no."},
    )
    comment = forms.CharField(
        label="Anything else you would like to tell us? (optional)",
        required=False,
        max_length=COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_LENGTH}),
        help_text=f"At most {COMMENT_LENGTH} characters, and nothing that could identify a child. If you are "
        "worried about a child, speak to your school's designated safeguarding lead.",
        error_messages={
            "max_length": f"The comment can be at most {COMMENT_LENGTH} characters (it has %(show_value)d).",
        },
    )

    class Meta:
        model = TeacherFeedback
        fields = ["rating", "right_for_ages", "pupils_engaged", "volunteers_prepared", "come_back", "comment"]

    def answers(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("right_for_ages", "pupils_engaged", "volunteers_prepared"):
            data[name] = data.get(name) or None
        data["comment"] = (data.get("comment") or "").strip()
        return data
