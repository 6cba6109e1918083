"""The foundation's own pages, beside the floor: what the shared layout, sessions and roles cost."""

from .core import Context, Result, benchmark, time_per_op

REPEAT = 100


def _page(ctx: Context, name: str, role: str | None, path: str, status: int = 200) -> Result:
    client = ctx.client(role or "anonymous")

    def get():
        response = client.get(path)
        assert response.status_code == status, (path, response.status_code)

    return Result(name, time_per_op(get, repeat=REPEAT), REPEAT, kind="page")


@benchmark
def foundation_pages(ctx: Context) -> list[Result]:
    return [
        _page(ctx, "healthz (db + broker)", None, "/healthz"),
        _page(ctx, "login page (anonymous)", None, "/accounts/login/"),
        _page(ctx, "home redirect (desk)", "desk", "/", status=302),
        _page(ctx, "admin index (admin)", "admin", "/admin/"),
        _page(ctx, "admin audit log list (admin)", "admin", "/admin/clinic/auditentry/"),
    ]
