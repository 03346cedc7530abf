"""新手导览（tools/tour.py）输出的文字，使用项目的语言。

STEP_TEXT：每一步的标题和讲解，按 tour.py 中对应函数的名字索引。
MESSAGES：导览打印的其他所有文字，用 str.format 填入参数。
"""

STEP_TEXT = {
    "create_schema": (
        "创建表结构",
        """
        `upgrade head` 会按从旧到新的顺序，执行数据库还没有执行过的所有迁移。
        导览用的是一个全新的 SQLite 文件，所以这里会执行项目现有的全部迁移，
        从 “create users table” 开始。（前两行输出每条命令都会出现，之后导览
        就不再显示它们。）
        """,
    ),
    "where_are_we": (
        "问问数据库现在在哪个版本",
        """
        `current` 读取数据库 alembic_version 表中保存的 revision ID。
        “(head)” 表示没有等待执行的迁移。
        """,
    ),
    "add_field": (
        "修改模型：给 User 添加 {field} 列",
        """
        模型是唯一的事实来源。下面是这次修改，以 models.py 的 diff 形式展示
        （改的是临时副本，不是你的项目）。
        """,
    ),
    "autogenerate_field": (
        "让 Alembic 写出迁移脚本",
        """
        `revision --autogenerate` 比较模型和数据库，把差异写成一个迁移文件。
        随后 alembic.ini 中的 post-write 钩子用 ruff 整理它。文件名由日期、
        revision ID 和说明组成。
        """,
    ),
    "review_field": (
        "执行之前先审查这个文件",
        """
        autogenerate 无从得知你的意图：重命名在它看来就是先删除再新增，数据也
        不会自己迁移。读一读 upgrade() 和 downgrade()，需要时修改它们，然后把
        这个文件和模型修改一起提交。在 SQLite 上，这次变更被包在
        batch_alter_table 中，因为 SQLite 不支持大多数 ALTER。
        """,
    ),
    "apply_field": (
        "应用它",
        """
        和开头同样的命令：这次只执行新的迁移。
        """,
    ),
    "undo_field": (
        "撤销最近一个迁移",
        """
        `downgrade -1` 执行最新迁移的 downgrade()。每个迁移都必须可以回滚；
        `nox -s roundtrip` 会对整条迁移链做这项检查。
        """,
    ),
    "redo_field": (
        "再升级回来",
        """
        升级、回滚、再升级：三步都成功，这个迁移就可以放心地分享给别人了。
        """,
    ),
    "offline_sql": (
        "不连数据库，审查 SQL",
        """
        `--sql` 只打印语句而不执行，方便交给 DBA 或附在变更单里。
        `alembic upgrade head --sql` 打印整条迁移链（`nox -s sql` 把它写入
        build/migrations.sql）；区间 FROM:TO 只打印 FROM 之后到 TO 为止的
        迁移，这里就是新的那一个。
        """,
    ),
    "empty_refused": (
        "防护规则：没有变更的 autogenerate 会被拒绝",
        """
        现在模型和数据库一致。原生的 Alembic 会写出一个空的迁移；本项目会拒绝，
        所以迁移历史中没有空文件。（为数据迁移手写的 `alembic revision -m ...`
        永远不会被拒绝。）
        """,
    ),
    "remove_field": (
        "防护规则：会丢失数据的迁移会被拒绝",
        """
        把 {field} 字段从模型中删掉，再 autogenerate。删除列会丢失其中的值，所以
        这个迁移被拒绝：提示信息列出每一个有问题的操作，以及允许它的确切命令。
        """,
    ),
    "destructive_alone_refused": (
        "防护规则：在受保护的表上，仅允许丢失数据还不够",
        """
        `-x allow_destructive=true` 能让普通表上的删除通过。受保护的表还必须
        明确点名，这样就没人会误删 users 的数据。`-x` 选项要写在子命令之前。
        """,
    ),
    "override": (
        "强制放行：明确说出你要丢掉什么",
        """
        明确允许丢失数据（并点名受保护的表）之后，迁移就会生成。像审查其他迁移
        一样审查它：这个迁移会删除一列及其中的值。
        """,
    ),
    "apply_drop": ("应用审查过的迁移", ""),
    "history": (
        "迁移历史",
        """
        `history` 列出所有迁移，最新的在最前；每行是 “父版本 -> 版本”。
        """,
    ),
}

MESSAGES = {
    "intro": "{project} 新手导览：在一份临时副本上，使用一个用完即弃的 SQLite 数据库。\n"
    "你的项目和你的数据库都不会被改动。",
    "catch_up": "你的模型里有还没有任何迁移版本包含的改动（README 第 4 节还没执行\n"
    "`alembic revision --autogenerate`）。导览先在它的副本中为这些改动生成一个迁移版本，\n"
    "让导览自己的改动单独成为一个版本：",
    "field_taken": "你的 User 已经有 {taken}：导览改为添加 {field}。",
    "step": "=== 第 {number} 步，共 {total} 步：{title}",
    "failed": "导览失败，停在第 {number} 步（{title}）：{reason}",
    "unexpected": "意外错误",
    "timeout": "命令在 {seconds} 秒内没有结束",
    "not_refused": "这条命令本应被拒绝，却执行成功了",
    "command_failed": "命令执行失败（退出码 {status}）",
    "traceback": "命令崩溃并输出了 traceback，而不是一条清楚的提示",
    "refused_but_wrote": "命令被拒绝了，却仍然写出了 {files}",
    "nothing_written": "没有写出任何文件：alembic/versions/ 中仍然是原来的 {count} 个文件。",
    "one_new_file": "应当恰好新增一个迁移文件，实际为 {files}",
    "none": "没有",
    "columns_expected": "users 应当有这些列 {expected}，实际为 {found}",
    "columns_now": "已检查：users 表现在的列是 {columns}。",
    "columns_start": "users 应当有 id 和 name 两列，实际为 {found}",
    "columns_have": "已检查：users 表的列是 {columns}。",
    "no_revision_id": "{name} 中没有 revision ID",
    "not_at_head": "`alembic current` 应当报告数据库在 (head)",
    "no_user_class": "models.py 中没有带映射列的 User 类，无法在其后添加 {field}",
    "field_not_mentioned": "{name} 中没有提到 {field} 列",
    "add_and_drop": "upgrade() 应当添加这一列，downgrade() 应当删除它",
    "sql_adds_field": "SQL 中应当有给 users 添加 {field} 列的语句",
    "also_protected": "这里 users 还是一张受保护的表（alembic.ini 中的 protected_tables），提示信息也会说明这一点。\n",
    "refusal_names": "拒绝信息中应当出现 {expected!r}",
    "upgrade_drops": "upgrade() 应当删除 {field} 列",
    "history_order": "迁移历史的最后应当是 'add {field} to user'，然后是 'drop {field} from user' (head)",
    "more_lines": "……（还有 {count} 行）",
    "summary": """\
小结
  修改 models.py -> alembic revision --autogenerate -m "..." -> 阅读生成的文件 -> alembic upgrade head
  alembic downgrade -1 撤销最近一个迁移；alembic current / history 显示当前位置。
  alembic upgrade head --sql 只显示 SQL，不执行。
  autogenerate 会拒绝空的迁移和会丢失数据的迁移；提示信息会列出这些操作以及强制放行的写法：
  alembic -x allow_destructive=true revision --autogenerate -m ...
  受保护的表（alembic.ini）还需要 -x allow_protected=<表名>。
  更多内容见 README.md；`nox` 运行全部检查。
""",
    "complete": "导览完成，用时 {seconds:.1f} 秒；临时副本已删除。",
    "press_enter": "\n[按回车进入下一步] ",
    "interrupted": "\n导览已中断；临时副本已删除。",
}
