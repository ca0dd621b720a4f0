"""The French and English word lists the normaliser uses (bot/text.py): stop words, chat noise,
small talk, negations, chat spellings, irregular verb forms, names kept whole, and the marker
words that tell the two languages apart. Data only: edit a list here, the rules stay in text.py.
"""

from __future__ import annotations

from bot.model import Lang

# Words that carry no meaning for matching. Negations, question words and numbers are kept.
STOP_WORDS_TEXT: dict[Lang, str] = {
    "fr": (
        """a à au aux avec ce ces cet cette ceux chez de des du elle elles en est et étaient était
        être eu il ils je la le les leur leurs lui ma mais me mes moi mon même nos notre nous on ou
        où par pour que qu quel quelle quelles quels qui sa se ses son sur ta te tes ton un
        une vos votre y ça ca cela c d j l m n s t est-ce es suis sont ont avait avez ai as
        été veux voudrais dis dit dire moi-même stp svp sil plait plaît
        s'il merci-d'avance hein bah ben alors donc bon bien ok vraiment aussi très tres trop
        quoi t-il t-elle a-t-il a-t-elle lol svp dans pendant comme sans sous vers depuis encore
        tout tous toute toutes rien chose choses faut va vont aller avoir eux ici là voilà juste
        genre exactement mec gars type truc trucs okay oui ouais euh bref enfin quelqu quelque
        quelques ceci celle celui celles ceux lequel laquelle dont ya monde quand-même mdr
        petite petit vite question parle parler parlé parlait parlent dit dire disait raconte
        mentionne cite évoque pense allez"""
    ),
    "en": (
        """a an the of to in on at by for from with about as is are was were be been being am
        have has had having i me my we our he him his she her it its they
        them their this that these those there here and or but if so than then just also very
        really please pls plz could would should will shall may might must tell say said
        know want wanted wonder wondering like thing things some any much many more most s d ll
        ve re m kind sort lol into onto up even ever exactly actually basically right now guy
        guys dude stuff okay ok well oh um uh hmm yeah yes yep anyway somebody someone anyone
        everyone everybody get got getting go going quick question bit little talk talks talking
        talked mention mentions mentioned whom whose myself yourself himself herself itself
        ourselves themselves whether alright"""
    ),
}
# Messages made only of these are chat noise, not questions: people test a bot ("test", "ping"),
# acknowledge ("ok", "k") or laugh ("lol", "mdr"); no entry should answer them.
CHAT_NOISE = frozenset(
    """test tests testing ping pong up ok okay k kk lol lmao mdr ptdr xd hmm hm mmh
    euh uh um ah oh bof ouais yep yup nope wtf""".split()
)
# Synonym groups of greetings and thanks, by their first term: politeness around a question.
SMALL_TALK = frozenset({"hello", "bonjour", "salut", "hi", "hey", "thanks", "merci", "thank you"})
SMALL_TALK_MIN_REST = 3  # words besides small talk that make a message a question
# Kept whatever the lists say: they flip a question's meaning.
NEGATIONS = frozenset(
    {"ne", "pas", "non", "jamais", "aucun", "aucune", "not", "no", "never", "nor"}
)

# People mix languages ("il pense quoi de openai, is it really untouchable ?"), so text read as
# one language drops the other's stop words too, except those that mean something in it: "but"
# (goal), "sort" (comes out) and "an" (year) in French; "ai" and "type" in English.
MEANINGFUL: dict[Lang, frozenset[str]] = {
    "fr": frozenset({"but", "sort", "an"}),
    "en": frozenset({"ai", "type", "son", "genre", "question"}),
}

# Chat spellings people type, by what they stand for (whatever the language of the question).
SLANG = {
    "koi": "quoi", "pk": "pourquoi", "pq": "pourquoi", "pourkoi": "pourquoi", "cmt": "comment",
    "qd": "quand", "bcp": "beaucoup", "tjrs": "toujours", "tt": "tout", "ds": "dans",
    "qlq": "quelque", "qq": "quelque", "qqn": "quelqu'un", "chui": "je suis",
    "jsp": "je ne sais pas",
    "u": "you", "ur": "your", "r": "are", "whats": "what", "whos": "who", "hows": "how",
    "wheres": "where", "whens": "when", "isnt": "is not", "doesnt": "does not",
    "didnt": "did not", "arent": "are not", "wasnt": "was not", "cant": "can not",
    "wont": "will not",
    "im": "i am", "ive": "i have", "thats": "that", "theres": "there", "gonna": "going to",
    "wanna": "want to", "abt": "about", "bc": "because", "cuz": "because", "coz": "because",
}

# Irregular forms Snowball cannot relate to their verb ("paid" / "pay", "veulent" / "veut"),
# mapped to a regular form of it; only forms with no other common meaning.
IRREGULAR: dict[Lang, dict[str, str]] = {
    "en": {
        "paid": "pay", "built": "build", "made": "make", "thought": "think", "bought": "buy",
        "began": "begin", "begun": "begin", "grew": "grow", "grown": "grow", "spent": "spend",
        "took": "take", "taken": "take", "gave": "give", "given": "give", "chose": "choose",
        "chosen": "choose", "sold": "sell", "won": "win", "lost": "lose", "brought": "bring",
        "taught": "teach", "sought": "seek", "kept": "keep", "meant": "mean", "rose": "rise",
        "risen": "rise", "wrote": "write", "written": "write", "spoke": "speak",
        "spoken": "speak", "became": "become", "held": "hold", "understood": "understand",
    },
    "fr": {
        "veulent": "veut", "voulait": "veut", "voulu": "veut", "peuvent": "peut",
        "pouvait": "peut", "doivent": "doit", "devait": "doit", "prennent": "prend",
        "pris": "prend", "prise": "prend", "font": "faire", "faisait": "faire",
        "mis": "mettre", "mettent": "mettre", "vendent": "vendre", "vendu": "vendre",
    },
}


# Names Snowball would cut down to a common word: French reads "openai" as a verb form of
# "open" (-ai, "je chantai"), so "deepseek reste open ?" was about OpenAI.
WHOLE = frozenset({"openai"})

# Words that tell French from English; accents count for French too.
FR_MARKERS = frozenset(
    """le la les des du de un une est et que qui quoi quel quelle quels quelles pourquoi comment
    quand où ou il elle ils sont pas ne au aux avec pour sur dans ce cette ces son sa ses leur
    je tu vous nous on t-il a-t-il est-ce c'est qu'est-ce salut bonjour merci coucou stp svp
    combien lui moi mon ma mes selon entre chez aussi très tres deja déjà fait dit parle""".split()
)
EN_MARKERS = frozenset(
    """the a an is are was were what who why how when where which does did do of to in and or
    not it he she they his her their with for on about say said think thanks thank hello hi
    you your me my can could would will this that there from by much many as be been have has
    hey bye please tell""".split()
)
