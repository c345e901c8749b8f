import factory

from sifu.accounts.models import Area, User
from sifu.accounts.services import area_create, system_actor


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "Sifu-test-2024")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_area(name: str, kind: str, parent: Area | None = None) -> Area:
    return area_create(name=name, kind=kind, parent=parent, by=system_actor())
