"""Snapshot bookkeeping (node tree order, incremental pods) and profile loading.

Node order from pkg/scheduler/backend/cache/node_tree_test.go (zones interleaved); profile
merging from pkg/scheduler/apis/config/v1/default_plugins.go (mergePlugins).
"""

from __future__ import annotations

from mlkube.engine.scheduler import Scheduler, Snapshot, default_profile, load_profiles
from mlkube.engine.scheduler.runtime import Framework

from .builders import make_node, make_pod


def test_nodes_are_listed_zone_by_zone_round_robin() -> None:
    nodes = [
        make_node("a1").zone("a").obj(),
        make_node("a2").zone("a").obj(),
        make_node("a3").zone("a").obj(),
        make_node("b1").zone("b").obj(),
        make_node("c1").zone("c").obj(),
        make_node("c2").zone("c").obj(),
    ]
    assert [n.name for n in Snapshot(nodes).node_infos] == ["a1", "b1", "c1", "a2", "c2", "a3"]


def test_removing_a_node_drops_it_from_the_order() -> None:
    snapshot = Snapshot([make_node("a").zone("x").obj(), make_node("b").zone("y").obj()])
    snapshot.remove_node("a")
    assert [n.name for n in snapshot.node_infos] == ["b"]


def test_pods_are_accounted_and_unaccounted_incrementally() -> None:
    snapshot = Snapshot([make_node("a").obj()])
    pod = make_pod("p").req(cpu="1500m", memory="1Gi").node("a").obj()
    snapshot.add_pod(pod)
    info = snapshot.get("a")
    assert info is not None
    assert (info.requested["cpu"], info.requested["memory"], len(info.pods)) == (1500, 2**30, 1)
    snapshot.remove_pod(pod)
    assert (info.requested["cpu"], len(info.pods)) == (0, 0)


def test_terminal_and_unbound_pods_are_not_accounted() -> None:
    snapshot = Snapshot([make_node("a").obj()])
    done = make_pod("done").req(cpu="1").node("a").obj()
    done["status"]["phase"] = "Succeeded"
    snapshot.add_pod(done)
    snapshot.add_pod(make_pod("pending").req(cpu="1").obj())
    info = snapshot.get("a")
    assert info is not None
    assert len(info.pods) == 0


def test_a_node_update_keeps_its_pods() -> None:
    snapshot = Snapshot([make_node("a").obj()], [make_pod("p").req(cpu="1").node("a").obj()])
    snapshot.update_node(make_node("a").capacity(cpu="64").obj())
    info = snapshot.get("a")
    assert info is not None
    assert (info.allocatable["cpu"], len(info.pods)) == (64000, 1)


def test_the_default_profile_has_upstream_weights() -> None:
    fw = Framework(Snapshot(), default_profile())
    assert fw.weights == {
        "TaintToleration": 3,
        "NodeAffinity": 2,
        "NodeResourcesFit": 1,
        "PodTopologySpread": 2,
        "InterPodAffinity": 2,
        "NodeResourcesBalancedAllocation": 1,
        "ImageLocality": 1,
    }
    assert [p.name for p in fw.filter_plugins] == [
        "NodeUnschedulable",
        "NodeName",
        "TaintToleration",
        "NodeAffinity",
        "NodePorts",
        "NodeResourcesFit",
        "VolumeRestrictions",
        "VolumeBinding",
        "PodTopologySpread",
        "InterPodAffinity",
    ]
    assert [p.name for p in fw.post_filter_plugins] == ["DefaultPreemption"]


def test_a_score_plugin_can_be_disabled_and_reweighted() -> None:
    [profile] = load_profiles(
        {
            "profiles": [
                {
                    "plugins": {
                        "score": {
                            "disabled": [{"name": "ImageLocality"}],
                            "enabled": [{"name": "NodeResourcesFit", "weight": 5}],
                        }
                    }
                }
            ]
        }
    )
    fw = Framework(Snapshot(), profile)
    assert "ImageLocality" not in fw.weights
    assert fw.weights["NodeResourcesFit"] == 5


def test_disabling_every_score_plugin_stops_at_the_first_feasible_node() -> None:
    [profile] = load_profiles({"profiles": [{"plugins": {"score": {"disabled": [{"name": "*"}]}}}]})
    nodes = [make_node(f"n{i:03}").obj() for i in range(150)]
    result = Scheduler(Snapshot(nodes), profile).schedule_one(make_pod().obj())
    assert (result.node_name, result.evaluated_nodes) == ("n000", 1)


def test_percentage_of_nodes_to_score_comes_from_the_profile() -> None:
    [profile] = load_profiles("percentageOfNodesToScore: 100\nprofiles:\n- {}\n")
    nodes = [make_node(f"n{i:03}").obj() for i in range(150)]
    result = Scheduler(Snapshot(nodes), profile).schedule_one(make_pod().obj())
    assert result.evaluated_nodes == 150


def test_a_heartbeat_update_is_not_a_scheduling_event() -> None:
    snapshot = Snapshot([make_node("a").obj()])
    events: list[tuple[str, str]] = []
    snapshot.listeners.append(lambda kind, name: events.append((kind, name)))
    heartbeat = make_node("a").obj()
    heartbeat["status"]["conditions"] = [{"type": "Ready", "status": "True"}]
    snapshot.update_node(heartbeat)
    tainted = make_node("a").taint("dedicated", "ml").obj()
    snapshot.update_node(tainted)
    assert events == [("node", "a")]


def test_a_pod_bound_to_an_unknown_node_is_accounted_when_the_node_arrives() -> None:
    snapshot = Snapshot()
    snapshot.add_pod(make_pod("early").req(cpu="1").node("late").obj())
    snapshot.add_node(make_node("late").obj())
    info = snapshot.get("late")
    assert info is not None
    assert list(info.pods) == ["uid-ml-early"]


def test_a_returning_node_gets_its_pods_back() -> None:
    snapshot = Snapshot([make_node("a").obj()], [make_pod("p").req(cpu="1").node("a").obj()])
    snapshot.remove_node("a")
    snapshot.add_node(make_node("a").obj())
    info = snapshot.get("a")
    assert info is not None
    assert info.requested["cpu"] == 1000
